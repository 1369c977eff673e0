import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { answerInvalidParams } from './answer-invalid-params.js';
import { chatTool } from './chat/chat-tool-definition.js';
import { compactOutputSchema } from './compact-output-schema.js';
import { ProgressReporter } from './progress-reporter.js';
import { callDeadline } from './call-deadline.js';
import { callOutcome, recordToolCall } from './record-tool-call.js';
import { requireNoNulCharacters } from './require-no-nul-characters.js';
import type { ResultMetadata } from './result-metadata.js';
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
        ...schemasOf(tool),
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
  compactToolList(server);
  answerInvalidParams(server);
  return server;
}

/**
 * A tool's zod object schemas, built once per process: the SDK would otherwise build them again
 * for every server, that is for every connection of the daemon (most of a session's memory).
 */
const schemaCache = new WeakMap<AnyExaiTool, { inputSchema: z.ZodObject; outputSchema?: z.ZodObject }>();

function schemasOf(tool: AnyExaiTool): { inputSchema: z.ZodObject; outputSchema?: z.ZodObject } {
  let schemas = schemaCache.get(tool);
  if (!schemas) {
    schemas = { inputSchema: z.object(tool.inputShape), ...(tool.outputShape ? { outputSchema: compactOutputSchema(tool.outputShape) } : {}) };
    schemaCache.set(tool, schemas);
  }
  return schemas;
}

/** Runs one call: the tool's time limit, failures as tool errors, and the call recorded for `activity`. */
async function runTool(tool: AnyExaiTool, input: Record<string, unknown>, deps: ToolDependencies, callerSignal: AbortSignal, progress: ProgressReporter | undefined): Promise<CallToolResult> {
  const timeoutMs = deps.limits.toolTimeoutMs;
  const deadline = callDeadline(callerSignal, timeoutMs);
  const signal = deadline.signal;
  const started = Date.now();
  const recording = recordToolCall(deps, tool.name);
  try {
    deps.observer?.started?.(tool.name);
  } catch (error) {
    deps.logger.warn({ tool: tool.name, err: error }, 'tool call observer failed');
  }
  let result: CallToolResult;
  try {
    result = await tool.run(requireNoNulCharacters(input), { deps, signal, progress, logger: deps.logger });
  } catch (error) {
    result = toolErrorResult(error, deps.logger, tool.name);
  } finally {
    deadline.dispose();
  }
  // A tool that turned the abort into an error result: say it was the time limit, not the client.
  if (deadline.expired && !callerSignal.aborted && result.isError) {
    result = toolErrorResult(new ToolTimeoutError(tool.name, timeoutMs as number, undefined), deps.logger, tool.name);
  }
  const durationMs = Date.now() - started;
  await recording.finish(result, durationMs, callerSignal.aborted);
  notifyFinished(deps, tool.name, result, durationMs, callerSignal.aborted);
  return result;
}

/** Tells the host's observer how a call ended; an observer's failure is logged, never the call's. */
function notifyFinished(deps: ToolDependencies, tool: string, result: CallToolResult, durationMs: number, cancelled: boolean): void {
  if (!deps.observer?.finished) return;
  const { status, code } = callOutcome(result, cancelled);
  const metadata = (result.structuredContent as { metadata?: ResultMetadata } | undefined)?.metadata;
  try {
    deps.observer.finished({ tool, status, durationMs, ...(code ? { errorCode: code } : {}), ...(metadata ? { metadata } : {}) });
  } catch (error) {
    deps.logger.warn({ tool, err: error }, 'tool call observer failed');
  }
}

/**
 * Trims what every client pays for on every turn: the `$schema` line the SDK writes into each
 * schema (draft-07 is what MCP clients assume), length and range bounds (the server checks them
 * with the tool's zod schema and names the field when one is off), and `execution` when it only
 * says the default (`taskSupport: forbidden`).
 */
function compactToolList(server: McpServer): void {
  const handlers = (server.server as unknown as { _requestHandlers: Map<string, (request: unknown, extra: unknown) => Promise<{ tools: Array<Record<string, unknown>> }>> })._requestHandlers;
  const original = handlers.get('tools/list');
  if (!original) return;
  handlers.set('tools/list', async (request, extra) => {
    // The list depends only on the set of tools: convert the schemas once per process, not per
    // connection and call (zod → JSON Schema costs milliseconds).
    const key = Object.keys((server as unknown as { _registeredTools: Record<string, unknown> })._registeredTools).join(',');
    const cached = listCache.get(key);
    if (cached) return cached;
    const result = await original(request, extra);
    const compacted = {
      ...result,
      tools: result.tools.map((tool) => {
        const { execution, inputSchema, outputSchema, ...rest } = tool as { execution?: { taskSupport?: string }; inputSchema?: Record<string, unknown>; outputSchema?: Record<string, unknown> };
        const compact: Record<string, unknown> = { ...rest };
        if (inputSchema) compact['inputSchema'] = withoutDialect(inputSchema);
        if (outputSchema) compact['outputSchema'] = withoutDialect(outputSchema);
        if (execution && Object.keys(execution).some((key) => key !== 'taskSupport' || execution.taskSupport !== 'forbidden')) compact['execution'] = execution;
        return compact;
      }),
    };
    listCache.set(key, compacted);
    return compacted;
  });
}

/** `tools/list` results by tool set (a handful of entries: one per profile and list in use). */
const listCache = new Map<string, { tools: Array<Record<string, unknown>> }>();

const boundKeywords = new Set(['$schema', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems']);

function withoutDialect(schema: Record<string, unknown>): Record<string, unknown> {
  return strip(schema) as Record<string, unknown>;
}

const isEmptyObject = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (typeof value !== 'object' || value === null) return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // `properties` maps field names, which may be called like a keyword (`maximum`): keep them all.
    if (boundKeywords.has(key) && typeof item !== 'object') continue;
    // `{}` accepts anything, which is what leaving the keyword out means too.
    if ((key === 'items' || key === 'additionalProperties') && isEmptyObject(item)) continue;
    result[key] = strip(item);
  }
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
    const name = (request.params as { name?: unknown } | undefined)?.name;
    // Malformed params (no params, a name that is no string) are the SDK's to refuse as invalid.
    if (typeof name !== 'string' || names.has(name)) return original(request, extra);
    const canonical = canonicalToolName(name);
    return original(names.has(canonical) ? { ...request, params: { ...request.params, name: canonical } } : request, extra);
  });
}
