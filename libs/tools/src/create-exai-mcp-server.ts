import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { chatTool } from './chat/chat-tool-definition.js';
import { ProgressReporter } from './progress-reporter.js';
import { recordToolCall } from './record-tool-call.js';
import { simpleTools } from './simple/index.js';
import type { AnyExaiTool, ToolDependencies, ToolLimits } from './tool-definition.js';
import { silentLogger, type ToolLogger } from './tool-logger.js';
import { canonicalToolName, selectTools, type ToolSelection } from './tool-registry.js';
import { toolErrorResult } from './tool-result.js';
import { ToolTimeoutError } from './tool-timeout-error.js';
import { vendorTools } from './vendor/index.js';
import { workflowTools } from './workflow/index.js';

/** Every tool exai has, in `tools/list` order. */
export const toolCatalogue: readonly AnyExaiTool[] = [chatTool, ...simpleTools, ...workflowTools, ...vendorTools];

/** Default limits of tool inputs. */
export const defaultToolLimits: ToolLimits = {
  promptMaxChars: 60_000,
  maxFileBytes: 1024 * 1024,
  toolTimeoutMs: undefined,
  allowedRoots: [],
};

/** Everything the MCP server needs; the host builds the process-wide parts once, the user's storage per connection. */
export interface ExaiServerOptions extends Omit<ToolDependencies, 'enabledTools' | 'logger' | 'limits'> {
  logger?: ToolLogger;
  limits?: Partial<ToolLimits>;
  /** `TOOL_PROFILE`, `ENABLED_TOOLS`, `DISABLED_TOOLS`. */
  tools?: ToolSelection;
}

/**
 * Builds a new MCP server with exai's tools (the profile's, adjusted by the lists). Call it once per
 * connection: an McpServer must not be shared between transports (MCP SDK ≥ 1.26, CVE-2026-25536).
 * Tool names with the suffixes some clients add (`chat_EXAI-WS`) resolve to the tool.
 */
export function createExaiMcpServer(options: ExaiServerOptions): McpServer {
  const logger = options.logger ?? silentLogger;
  const { tools } = selectTools(toolCatalogue, options.tools);
  const names = tools.map((tool) => tool.name);
  const deps: ToolDependencies = {
    ...options,
    logger,
    limits: { ...defaultToolLimits, ...options.limits },
    enabledTools: () => names,
  };
  const server = new McpServer(
    { name: 'exai', title: 'exai — GLM and Kimi for coding assistants', version: options.version },
    { capabilities: { logging: {} } },
  );
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputShape,
        ...(tool.outputShape ? { outputSchema: tool.outputShape } : {}),
        annotations: tool.annotations,
      },
      (input: Record<string, unknown>, extra: RequestHandlerExtra<ServerRequest, ServerNotification>) => {
        const token = extra._meta?.progressToken;
        const progress =
          token === undefined ? undefined : new ProgressReporter((params) => extra.sendNotification({ method: 'notifications/progress', params }), token);
        return runTool(tool, input, deps, extra.signal, progress);
      },
    );
  }
  resolveSuffixedNames(server, new Set(names));
  return server;
}

/** Runs one call: the tool's time limit, failures as tool errors, and the call recorded for `activity`. */
async function runTool(tool: AnyExaiTool, input: Record<string, unknown>, deps: ToolDependencies, callerSignal: AbortSignal, progress: ProgressReporter | undefined): Promise<CallToolResult> {
  const timeoutMs = deps.limits.toolTimeoutMs;
  const deadline = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
  const signal = deadline ? AbortSignal.any([callerSignal, deadline]) : callerSignal;
  const started = Date.now();
  const recording = recordToolCall(deps, tool.name);
  let result: CallToolResult;
  try {
    result = await tool.run(input, { deps, signal, progress, logger: deps.logger });
  } catch (error) {
    result = toolErrorResult(error, deps.logger, tool.name);
  }
  // A tool that turned the abort into an error result: say it was the time limit, not the client.
  if (deadline?.aborted && !callerSignal.aborted && result.isError) {
    result = toolErrorResult(new ToolTimeoutError(tool.name, timeoutMs as number, undefined), deps.logger, tool.name);
  }
  await recording.finish(result, Date.now() - started, callerSignal.aborted);
  return result;
}

/**
 * Lets `tools/call` find a tool by the name a client decorated (`chat_EXAI-WS`): the SDK looks tools
 * up by exact name, so the name is canonicalised before its handler runs.
 */
function resolveSuffixedNames(server: McpServer, names: ReadonlySet<string>): void {
  // The SDK keeps its handlers in a private map; this is the one place we reach into it.
  const handlers = (server.server as unknown as { _requestHandlers: Map<string, (request: { params: { name: string } }, extra: unknown) => unknown> })._requestHandlers;
  const original = handlers.get('tools/call');
  if (!original) return;
  handlers.set('tools/call', (request, extra) => {
    const name = request.params.name;
    if (names.has(name)) return original(request, extra);
    const canonical = canonicalToolName(name);
    return original(names.has(canonical) ? { ...request, params: { ...request.params, name: canonical } } : request, extra);
  });
}
