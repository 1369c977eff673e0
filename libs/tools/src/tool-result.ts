import { ExaiError } from '@exai/router/spec';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolLogger } from './tool-logger.js';

/**
 * A failed tool call as MCP wants it: `isError: true` and a message the calling model can act on.
 * exai errors keep their message and stable code; anything else is logged and reported generically.
 */
export function toolErrorResult(error: unknown, logger: ToolLogger, tool: string): CallToolResult {
  if (ExaiError.isInstance(error)) {
    logger.warn({ tool, code: error.code, err: error }, 'tool call failed');
    return { isError: true, content: [{ type: 'text', text: `${error.message} [${error.code}]` }] };
  }
  logger.error({ tool, err: error }, 'tool call failed unexpectedly');
  const message = error instanceof Error ? error.message : String(error);
  return { isError: true, content: [{ type: 'text', text: `Internal error in ${tool}: ${message} [internal_error]` }] };
}
