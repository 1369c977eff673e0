#!/usr/bin/env node
// A bare MCP SDK server over stdio: no tools (`BENCH_TOOLS=1`: one trivial `echo` tool). The floor
// for startup time and idle memory of any Node MCP server built on the SDK.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'bare', version: '1.0.0' });
if (process.env['BENCH_TOOLS'] === '1') {
  server.registerTool('echo', { description: 'Echo the text.', inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
}
await server.connect(new StdioServerTransport());
