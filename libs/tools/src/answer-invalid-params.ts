import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

type RequestHandler = (request: unknown, extra: unknown) => Promise<unknown>;

/** A zod error as the SDK throws it when a request does not parse (zod 3 and 4 both carry `issues`). */
interface ZodLikeError {
  issues: Array<{ path: Array<string | number>; message: string }>;
}

function isZodLikeError(error: unknown): error is ZodLikeError {
  return error instanceof Error && Array.isArray((error as { issues?: unknown }).issues);
}

/**
 * Makes a request whose params do not fit its method (`tools/call` with `arguments: 5`, `initialize`
 * without params) a JSON-RPC "Invalid params" error (-32602) naming the fields. The SDK parses each
 * request inside its handler and lets the zod error through, which the protocol layer reports as an
 * internal error (-32603) carrying the raw issue list; JSON-RPC 2.0 §5.1 reserves -32603 for the
 * server's own failures. Call once all handlers are installed (after the tools are registered).
 */
export function answerInvalidParams(server: McpServer): void {
  // The SDK keeps its handlers in a private map (see also compactToolList and resolveSuffixedNames).
  const handlers = (server.server as unknown as { _requestHandlers: Map<string, RequestHandler> })._requestHandlers;
  for (const [method, handler] of [...handlers]) {
    handlers.set(method, async (request, extra) => {
      try {
        return await handler(request, extra);
      } catch (error) {
        if (!isZodLikeError(error)) throw error;
        throw new McpError(ErrorCode.InvalidParams, `Invalid params for ${method}: ${describeIssues(error)}`);
      }
    });
  }
}

/** `params.arguments: expected record, received number; …` (at most five issues). */
function describeIssues(error: ZodLikeError): string {
  const issues = error.issues.slice(0, 5).map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'request'}: ${issue.message}`);
  return `${issues.join('; ')}${error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : ''}`;
}
