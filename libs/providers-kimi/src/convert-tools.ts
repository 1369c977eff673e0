import type { FunctionTool } from '@exai/router/spec';
import type { KimiWireTool } from './kimi-wire.js';

/** Function tools in the OpenAI shape Kimi takes (provider-wire.md §2.2). */
export function convertTools(tools: readonly FunctionTool[]): KimiWireTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parameters: tool.parameters,
    },
  }));
}

/** Kimi's builtin web search tool (§2.5); the vendor runs the search, exai only echoes the call. */
export const webSearchTool: KimiWireTool = { type: 'builtin_function', function: { name: '$web_search' } };
