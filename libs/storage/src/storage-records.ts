/**
 * The user of a single-person install (exai-stdio without authentication): a fixed UUID, so the
 * same data directory always belongs to the same user. `EXAI_USER_ID` replaces it.
 */
export const LOCAL_USER_ID = '00000000-0000-4000-8000-000000000001';

/** The three buckets (private, 100 MB per object). */
export type BucketName = 'user-files' | 'results' | 'generated-files';
export const BUCKETS: readonly BucketName[] = ['user-files', 'results', 'generated-files'];
/** Largest object a bucket accepts, in bytes (100 MB). */
export const MAX_OBJECT_BYTES = 104_857_600;
/** Storage quota of a user without a `user_quotas` row (10 GB). */
export const DEFAULT_STORAGE_QUOTA_BYTES = 10_737_418_240;

/** Token counts of one model call (the router's `Usage`). */
export interface TokenUsage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  totalTokens: number;
}

/** A conversation thread. */
export interface Conversation {
  id: string;
  continuationId: string;
  ownerId: string;
  tool: string | undefined;
  /** The continuation id of the thread this one branched from. */
  parentContinuationId: string | undefined;
  title: string | undefined;
  expiresAt: Date | undefined;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewConversation {
  continuationId: string;
  /** Defaults to now. */
  createdAt?: Date;
  tool?: string;
  parentContinuationId?: string;
  title?: string;
  expiresAt?: Date;
  metadata?: Record<string, unknown>;
}

export type MessageRole = 'system' | 'user' | 'assistant' | 'tool';

/** One turn of a thread. */
export interface Message {
  id: string;
  conversationId: string;
  role: MessageRole;
  content: string;
  tool: string | undefined;
  provider: string | undefined;
  model: string | undefined;
  /** File references the turn used (paths or stored file ids). */
  files: string[];
  images: string[];
  usage: TokenUsage | undefined;
  metadata: Record<string, unknown>;
  /** Unique per message: writing the same key twice stores it once (retries, journal replay). */
  idempotencyKey: string;
  createdAt: Date;
}

export interface NewMessage {
  role: MessageRole;
  content: string;
  tool?: string;
  provider?: string;
  model?: string;
  files?: string[];
  images?: string[];
  usage?: TokenUsage;
  metadata?: Record<string, unknown>;
  /** Defaults to a fresh random key (give one to make retries safe). */
  idempotencyKey?: string;
  /** Defaults to now. */
  createdAt?: Date;
}

/** A thread loaded for replay: the newest messages that fit the budget, oldest first. */
export interface Thread {
  conversation: Conversation;
  messages: Message[];
  /** True when older messages were left out to stay within the budget. */
  truncated: boolean;
}

export interface LoadThreadOptions {
  /** Most messages to return (newest kept). Default 50. */
  maxMessages?: number;
  /** Most characters of content to return (newest kept; the newest message is always returned). */
  maxChars?: number;
}

/** A stored file (a bucket object and its metadata). */
export interface StoredFile {
  id: string;
  ownerId: string;
  bucket: BucketName;
  /** `{owner_id}/{sha256[0:2]}/{sha256}/{filename}`. */
  path: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  tags: string[];
  metadata: Record<string, unknown>;
  createdAt: Date;
  lastAccessedAt: Date;
}

export interface NewFile {
  filename: string;
  bytes: Uint8Array;
  /** Default `user-files`. */
  bucket?: BucketName;
  /** Default `application/octet-stream`. */
  contentType?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
}

/** `put`'s answer: the stored file, and whether identical content was already stored (no new bytes written). */
export interface PutFileResult {
  file: StoredFile;
  deduplicated: boolean;
}

export type ExternalIdSource = 'path' | 'provider' | 'client';

export type ProviderName = 'glm' | 'kimi';
export type UploadStatus = 'uploaded' | 'deleted' | 'expired' | 'failed';

/** A file uploaded to a provider: reuse `providerFileId` instead of uploading the same bytes again. */
export interface ProviderUpload {
  id: string;
  ownerId: string;
  fileId: string | undefined;
  sha256: string;
  provider: ProviderName;
  providerFileId: string;
  filename: string | undefined;
  sizeBytes: number | undefined;
  purpose: string | undefined;
  status: UploadStatus;
  expiresAt: Date | undefined;
  lastUsedAt: Date;
  createdAt: Date;
}

export interface NewProviderUpload {
  sha256: string;
  provider: ProviderName;
  providerFileId: string;
  fileId?: string;
  filename?: string;
  sizeBytes?: number;
  purpose?: string;
  expiresAt?: Date;
}

export type FileOperationKind = 'put' | 'dedup' | 'get' | 'delete' | 'provider_upload' | 'provider_reuse' | 'provider_delete' | 'download';

export interface FileOperation {
  id: string;
  ownerId: string;
  fileId: string | undefined;
  operation: FileOperationKind;
  provider: string | undefined;
  status: 'ok' | 'failed';
  bytes: number | undefined;
  durationMs: number | undefined;
  error: string | undefined;
  createdAt: Date;
}

export interface NewFileOperation {
  /** Defaults to a fresh UUID; give one to make a retried or replayed write a no-op. */
  id?: string;
  operation: FileOperationKind;
  status: 'ok' | 'failed';
  fileId?: string;
  provider?: string;
  bytes?: number;
  durationMs?: number;
  error?: string;
}

/** One audit record (append-only). */
export interface AuditEntry {
  id: string;
  /** Undefined for events without a known user (a rejected token). */
  userId: string | undefined;
  action: string;
  resource: string | undefined;
  outcome: 'success' | 'failure';
  ip: string | undefined;
  details: Record<string, unknown>;
  createdAt: Date;
}

export interface NewAuditEntry {
  /** Defaults to a fresh UUID; give one to make a retried or replayed write a no-op. */
  id?: string;
  action: string;
  outcome: 'success' | 'failure';
  resource?: string;
  ip?: string;
  details?: Record<string, unknown>;
  /** Service scope only: the user the event concerns (a user scope always records its own id). */
  userId?: string;
  createdAt?: Date;
}

/** Tokens and cost of one model call. */
export interface UsageEvent {
  id: string;
  userId: string;
  provider: string;
  model: string;
  tool: string | undefined;
  continuationId: string | undefined;
  usage: TokenUsage;
  webSearchCalls: number;
  costUsd: number;
  createdAt: Date;
}

export interface NewUsageEvent {
  /** Defaults to a fresh UUID; give one to make a retried or replayed write a no-op. */
  id?: string;
  provider: string;
  model: string;
  usage: TokenUsage;
  costUsd: number;
  tool?: string;
  continuationId?: string;
  webSearchCalls?: number;
  createdAt?: Date;
}

/** Usage summed over one UTC day. */
export interface UsageTotals {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number;
}

export type ToolCallStatus = 'running' | 'success' | 'error' | 'cancelled' | 'timeout';

export interface ToolCall {
  id: string;
  userId: string;
  sessionId: string | undefined;
  tool: string;
  status: ToolCallStatus;
  continuationId: string | undefined;
  provider: string | undefined;
  model: string | undefined;
  durationMs: number | undefined;
  errorCode: string | undefined;
  errorMessage: string | undefined;
  startedAt: Date;
  finishedAt: Date | undefined;
}

export interface NewToolCall {
  tool: string;
  /** Defaults to a fresh UUID; give one to make a retried or replayed write a no-op. */
  id?: string;
  sessionId?: string;
  continuationId?: string;
  startedAt?: Date;
}

export interface ToolCallFinish {
  status: Exclude<ToolCallStatus, 'running'>;
  durationMs?: number;
  provider?: string;
  model?: string;
  continuationId?: string;
  errorCode?: string;
  errorMessage?: string;
  finishedAt?: Date;
}

export interface ToolCallFilter {
  tool?: string;
  status?: ToolCallStatus;
  since?: Date;
  /** Default 50, at most 500. */
  limit?: number;
}

/** A routing decision as stored. */
export interface RoutingDecisionRecord {
  id: string;
  userId: string;
  toolCallId: string | undefined;
  tool: string | undefined;
  mode: string;
  category: string | undefined;
  chosenModel: string;
  chain: unknown[];
  reasons: string[];
  rejected: unknown[];
  estimatedCostUsd: number | undefined;
  createdAt: Date;
}

export interface NewRoutingDecision {
  /** Defaults to a fresh UUID; give one to make a retried or replayed write a no-op. */
  id?: string;
  mode: string;
  chosenModel: string;
  toolCallId?: string;
  tool?: string;
  category?: string;
  chain?: unknown[];
  reasons?: string[];
  rejected?: unknown[];
  estimatedCostUsd?: number;
  createdAt?: Date;
}

export type SessionTransport = 'stdio' | 'websocket' | 'http' | 'legacy-ws' | 'gateway';

export interface SessionRecord {
  id: string;
  userId: string;
  transport: SessionTransport;
  clientName: string | undefined;
  clientVersion: string | undefined;
  ip: string | undefined;
  replica: string | undefined;
  startedAt: Date;
  lastSeenAt: Date;
  endedAt: Date | undefined;
}

export interface NewSession {
  id: string;
  transport: SessionTransport;
  clientName?: string;
  clientVersion?: string;
  ip?: string;
  replica?: string;
}

/** A workflow tool's state for one continuation id. */
export interface WorkflowState {
  continuationId: string;
  tool: string;
  ownerId: string;
  stepNumber: number;
  totalSteps: number | undefined;
  state: Record<string, unknown>;
  expiresAt: Date | undefined;
  updatedAt: Date;
}

export interface WorkflowStateInput {
  stepNumber: number;
  totalSteps?: number;
  state: Record<string, unknown>;
  expiresAt?: Date;
}

export interface UserQuota {
  userId: string;
  storageQuotaBytes: number;
  storageUsedBytes: number;
  monthlyTokenBudget: number | undefined;
  monthlyCostBudgetUsd: number | undefined;
}

export interface QuotaSettings {
  storageQuotaBytes?: number;
  monthlyTokenBudget?: number | null;
  monthlyCostBudgetUsd?: number | null;
}

export interface MetricSample {
  name: string;
  value: number;
  labels?: Record<string, string>;
  recordedAt?: Date;
}

export interface StoredMetricSample {
  name: string;
  value: number;
  labels: Record<string, string>;
  recordedAt: Date;
}
