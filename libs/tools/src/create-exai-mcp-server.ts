import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { runChat } from './chat/chat-tool.js';
import { chatInputShape, chatOutputShape } from './chat/chat-schema.js';
import type { ConversationStore } from './conversation/conversation-store.js';
import { listModels, listModelsOutputShape, renderModels } from './listmodels-tool.js';
import { ProgressReporter } from './progress-reporter.js';
import { silentLogger, type ToolLogger } from './tool-logger.js';
import type { ToolsRouter } from './tools-router.js';
import { renderVersion, versionOutputShape, type VersionOutput } from './version-tool.js';

/** A provider as `version` reports it (never its key). */
export interface ProviderSummary {
  provider: string;
  configured: boolean;
  baseUrl: string;
}

/** Everything the MCP server needs; the host (stdio or daemon app) builds it once per process. */
export interface ExaiServerOptions {
  router: ToolsRouter;
  /** Conversation threads, shared by every connection of the process (in memory, or in storage). */
  memory: ConversationStore;
  logger?: ToolLogger;
  version: string;
  /** Transport name for `version` (`stdio`, `websocket`, …). */
  transport: string;
  providers: ProviderSummary[];
  defaultModel: string;
  promptMaxChars?: number;
  maxFileBytes?: number;
  /** Time limit of one tool call (`EXAI_TOOL_TIMEOUT_MS`). */
  toolTimeoutMs?: number;
  /** Session id of this connection, for the per-session concurrency limit. */
  session?: string;
}

/** Names of the tools this server registers, in `tools/list` order. */
export const toolNames = ['chat', 'listmodels', 'version'] as const;

/**
 * Builds a new MCP server with exai's tools. Call it once per connection: an McpServer must not be
 * shared between transports (MCP SDK ≥ 1.26, CVE-2026-25536).
 */
export function createExaiMcpServer(options: ExaiServerOptions): McpServer {
  const logger = options.logger ?? silentLogger;
  const server = new McpServer(
    { name: 'exai', title: 'exai — GLM and Kimi for coding assistants', version: options.version },
    { capabilities: { logging: {} } },
  );

  server.registerTool(
    'chat',
    {
      title: 'Chat with GLM or Kimi',
      description:
        'Ask a GLM or Kimi model for a second opinion, brainstorming or an explanation. Pass files as absolute paths; reuse continuation_id to continue a conversation.',
      inputSchema: chatInputShape,
      outputSchema: chatOutputShape,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (input, extra) => {
      const token = extra._meta?.progressToken;
      const progress =
        token === undefined
          ? undefined
          : new ProgressReporter((params) => extra.sendNotification({ method: 'notifications/progress', params }), token);
      return runChat(
        input,
        {
          router: options.router,
          memory: options.memory,
          logger,
          promptMaxChars: options.promptMaxChars,
          maxFileBytes: options.maxFileBytes,
          toolTimeoutMs: options.toolTimeoutMs,
          session: options.session,
        },
        { signal: extra.signal, progress },
      );
    },
  );

  server.registerTool(
    'listmodels',
    {
      title: 'List models',
      description: 'GLM and Kimi models with aliases, context, prices, capabilities, and whether each is available and why not.',
      outputSchema: listModelsOutputShape,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async () => {
      const output = listModels(options.router);
      return { content: [{ type: 'text', text: renderModels(output) }], structuredContent: output };
    },
  );

  server.registerTool(
    'version',
    {
      title: 'Version',
      description: 'exai version, configured providers and tools.',
      outputSchema: versionOutputShape,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async () => {
      const output: VersionOutput = {
        name: 'exai',
        version: options.version,
        node: process.versions.node,
        transport: options.transport,
        providers: options.providers.map((provider) => ({ provider: provider.provider, configured: provider.configured, base_url: provider.baseUrl })),
        default_model: options.defaultModel,
        tools: [...toolNames],
      };
      return { content: [{ type: 'text', text: renderVersion(output) }], structuredContent: output };
    },
  );

  return server;
}
