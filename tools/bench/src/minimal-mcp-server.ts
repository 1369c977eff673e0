#!/usr/bin/env node
// The smallest useful MCP server of its kind, for comparison with exai-stdio: one `chat` tool that
// makes one openai SDK call to the provider (`BENCH_BASE_URL`, `BENCH_API_KEY`) and returns its
// text. No routing, memory, limits, accounting or logging.
import OpenAI from 'openai';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const client = new OpenAI({ apiKey: process.env['BENCH_API_KEY'] ?? 'bench', baseURL: process.env['BENCH_BASE_URL'], maxRetries: 0 });
const server = new McpServer({ name: 'minimal-chat', version: '1.0.0' });

server.registerTool(
  'chat',
  {
    description: 'Ask a model.',
    inputSchema: { prompt: z.string().min(1), model: z.string().min(1).optional() },
  },
  async ({ prompt, model }, extra) => {
    const completion = await client.chat.completions.create({ model: model ?? 'glm-4.5-flash', messages: [{ role: 'user', content: prompt }] }, { signal: extra.signal });
    return { content: [{ type: 'text', text: completion.choices[0]?.message.content ?? '' }] };
  },
);

await server.connect(new StdioServerTransport());
