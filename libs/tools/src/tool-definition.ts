import type { StorageStatus, UserStorage } from '@exai/storage';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z, ZodRawShape } from 'zod';
import type { ConversationStore } from './conversation/conversation-store.js';
import type { ProgressReporter } from './progress-reporter.js';
import type { ResultMetadata } from './result-metadata.js';
import type { ToolLogger } from './tool-logger.js';
import type { ToolsRouter } from './tools-router.js';

/** Tool profiles: `lean` ⊂ `standard` (default) ⊂ `full` (`TOOL_PROFILE`). */
export type ToolProfile = 'lean' | 'standard' | 'full';

/** A provider as `version` and `provider_capabilities` report it (never its key). */
export interface ProviderSummary {
  provider: string;
  configured: boolean;
  baseUrl: string;
}

/**
 * Vendor APIs some tools call directly (GLM's standalone web search, Kimi's files). Typed
 * structurally here so the tools never import a provider package: hosts pass `createGlm(...)` /
 * `createKimi(...)` instances, which satisfy these.
 */
export interface VendorClients {
  /** GLM providers, one per key (the first is used for standalone calls). */
  glm?: readonly unknown[];
  /** Kimi providers, one per key. */
  kimi?: readonly unknown[];
}

/** Limits of tool inputs (`EXAI_PROMPT_MAX_CHARS`, `EXAI_MAX_FILE_BYTES`, `EXAI_TOOL_TIMEOUT_MS`, `EXAI_ALLOWED_ROOTS`). */
export interface ToolLimits {
  promptMaxChars: number;
  maxFileBytes: number;
  /** Time limit of one tool call; none when undefined. */
  toolTimeoutMs: number | undefined;
  /** Absolute folders whose files tools may read and write (default: home and working directory). */
  allowedRoots: readonly string[];
}

/**
 * What every tool may use. The host builds the process-wide parts once and the per-connection parts
 * (the user's storage scope, the session) for each connection.
 */
export interface ToolDependencies {
  router: ToolsRouter;
  /** The calling user's storage: threads, files, uploads, activity (row-level security applies). */
  storage: UserStorage;
  /** Storage health and journal backlog, for `status`. */
  storageStatus: () => StorageStatus;
  /** Conversation threads (`continuation_id`), in the user's storage. */
  conversations: ConversationStore;
  vendors: VendorClients;
  providers: readonly ProviderSummary[];
  limits: ToolLimits;
  logger: ToolLogger;
  version: string;
  /** `stdio`, `websocket`, `http`, … */
  transport: string;
  defaultModel: string;
  /** Session the calls count against (per-session concurrency limit). */
  session?: string;
  /** Told when each tool call starts and ends (a host's metrics, drain accounting); must not throw. */
  observer?: ToolCallObserver;
  /** Names of the tools this server serves (after profile and lists), for `version`. */
  enabledTools: () => readonly string[];
  /**
   * Whose provider accounts the keys are: `own` (the default: one person's keys, as exai-stdio runs)
   * or `shared` (a server whose users share the keys, as exai-daemon does). On a shared account a user
   * sees and deletes only the provider files exai uploaded for them; another user's file, or one
   * uploaded outside exai, looks exactly like a file that does not exist.
   */
  providerAccounts?: 'own' | 'shared';
  now?: () => Date;
}

/** How a tool call ended, for {@link ToolCallObserver}. */
export interface ToolCallEvent {
  tool: string;
  status: 'success' | 'error' | 'timeout' | 'cancelled';
  durationMs: number;
  /** The stable code of a failed call (`quota_exhausted`, `invalid_argument`, …). */
  errorCode?: string;
  /** Model, provider, tokens and cost when the tool called a model. */
  metadata?: ResultMetadata;
}

/** Hooks a host gives `createExaiMcpServer` to watch tool calls (metrics, in-flight counts). */
export interface ToolCallObserver {
  started?(tool: string): void;
  finished?(event: ToolCallEvent): void;
}

/** Per-call context. */
export interface ToolContext {
  deps: ToolDependencies;
  /** The client's cancellation combined with the tool time limit: pass it to every model call and I/O. */
  signal: AbortSignal | undefined;
  /** Present when the client asked for progress (a progress token). */
  progress: ProgressReporter | undefined;
  logger: ToolLogger;
}

/** One MCP tool of exai. Descriptions stay short: `tools/list` is paid for in every client's context. */
export interface ExaiTool<Shape extends ZodRawShape = ZodRawShape> {
  name: string;
  title: string;
  /** One or two sentences; long guidance belongs in responses. */
  description: string;
  inputShape: Shape;
  /** The structured result's schema (a raw shape or an object schema); `tools/list` shows a compact form. */
  outputShape?: ZodRawShape | z.ZodObject;
  annotations: ToolAnnotations;
  /** The smallest profile that includes the tool. */
  profile: ToolProfile;
  run(input: z.infer<z.ZodObject<Shape>>, context: ToolContext): Promise<CallToolResult>;
}

/** Declares a tool (an identity function that keeps the input type tied to the shape). */
export function defineTool<Shape extends ZodRawShape>(tool: ExaiTool<Shape>): ExaiTool<Shape> {
  return tool;
}

/** A tool of any shape, for lists. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyExaiTool = ExaiTool<any>;
