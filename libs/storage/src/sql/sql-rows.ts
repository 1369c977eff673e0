import type {
  AuditEntry,
  BucketName,
  Conversation,
  FileOperation,
  Message,
  ProviderUpload,
  RoutingDecisionRecord,
  SessionRecord,
  StoredFile,
  StoredMetricSample,
  ToolCall,
  TokenUsage,
  UsageEvent,
  UserQuota,
  WorkflowState,
} from '../storage-records.js';

/** A row as either driver returns it. */
export type Row = Record<string, unknown>;

// The drivers disagree on types: node-postgres returns int8 and numeric as strings, PGlite int8 as
// a number (a bigint beyond 2^53) and numeric as a string. These helpers accept all of them.

function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

function optionalNum(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : num(value);
}

function optionalText(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

function date(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

function optionalDate(value: unknown): Date | undefined {
  return value === null || value === undefined ? undefined : date(value);
}

function object<T = Record<string, unknown>>(value: unknown): T {
  return (value ?? {}) as T;
}

/** Columns of {@link toConversation}; `c` is the thread, `p` its parent (left joined). */
export const CONVERSATION_COLUMNS =
  'c.id, c.continuation_id, c.owner_id, c.tool, p.continuation_id as parent_continuation_id, c.title, c.expires_at, c.metadata, c.created_at, c.updated_at';
/** The `from` clause that goes with {@link CONVERSATION_COLUMNS}. */
export const CONVERSATION_FROM = 'public.conversations c left join public.conversations p on p.id = c.parent_id';

/** A `Conversation` from its row (either driver). */
export function toConversation(row: Row): Conversation {
  return {
    id: String(row.id),
    continuationId: String(row.continuation_id),
    ownerId: String(row.owner_id),
    tool: optionalText(row.tool),
    parentContinuationId: optionalText(row.parent_continuation_id),
    title: optionalText(row.title),
    expiresAt: optionalDate(row.expires_at),
    metadata: object(row.metadata),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

/** Columns of {@link toMessage}, unqualified. */
export const MESSAGE_COLUMNS = 'id, conversation_id, role, content, tool, provider, model, files, images, usage, metadata, idempotency_key, created_at';

/** A message from a row, or from the same columns as JSON (timestamps then arrive as ISO text). */
export function toMessage(row: Row): Message {
  return {
    id: String(row.id),
    conversationId: String(row.conversation_id),
    role: row.role as Message['role'],
    content: String(row.content),
    tool: optionalText(row.tool),
    provider: optionalText(row.provider),
    model: optionalText(row.model),
    files: (row.files ?? []) as string[],
    images: (row.images ?? []) as string[],
    usage: (row.usage ?? undefined) as TokenUsage | undefined,
    metadata: object(row.metadata),
    idempotencyKey: String(row.idempotency_key),
    createdAt: date(row.created_at),
  };
}

/** Columns of {@link toStoredFile}, qualified by `f`. */
export const FILE_COLUMNS =
  'f.id, f.owner_id, f.bucket, f.path, f.filename, f.content_type, f.size_bytes, f.sha256, f.tags, f.metadata, f.created_at, f.last_accessed_at';

/** A `StoredFile` from its row (either driver). */
export function toStoredFile(row: Row): StoredFile {
  return {
    id: String(row.id),
    ownerId: String(row.owner_id),
    bucket: row.bucket as BucketName,
    path: String(row.path),
    filename: String(row.filename),
    contentType: String(row.content_type),
    sizeBytes: num(row.size_bytes),
    sha256: String(row.sha256),
    tags: (row.tags ?? []) as string[],
    metadata: object(row.metadata),
    createdAt: date(row.created_at),
    lastAccessedAt: date(row.last_accessed_at),
  };
}

/** Columns of {@link toProviderUpload}. */
export const UPLOAD_COLUMNS =
  'id, owner_id, file_id, sha256, provider, provider_file_id, filename, size_bytes, purpose, status, expires_at, last_used_at, created_at';

/** A `ProviderUpload` from its row (either driver). */
export function toProviderUpload(row: Row): ProviderUpload {
  return {
    id: String(row.id),
    ownerId: String(row.owner_id),
    fileId: optionalText(row.file_id),
    sha256: String(row.sha256),
    provider: row.provider as ProviderUpload['provider'],
    providerFileId: String(row.provider_file_id),
    filename: optionalText(row.filename),
    sizeBytes: optionalNum(row.size_bytes),
    purpose: optionalText(row.purpose),
    status: row.status as ProviderUpload['status'],
    expiresAt: optionalDate(row.expires_at),
    lastUsedAt: date(row.last_used_at),
    createdAt: date(row.created_at),
  };
}

/** Columns of {@link toFileOperation}. */
export const FILE_OPERATION_COLUMNS = 'id, owner_id, file_id, operation, provider, status, bytes, duration_ms, error, created_at';

/** A `FileOperation` from its row (either driver). */
export function toFileOperation(row: Row): FileOperation {
  return {
    id: String(row.id),
    ownerId: String(row.owner_id),
    fileId: optionalText(row.file_id),
    operation: row.operation as FileOperation['operation'],
    provider: optionalText(row.provider),
    status: row.status as FileOperation['status'],
    bytes: optionalNum(row.bytes),
    durationMs: optionalNum(row.duration_ms),
    error: optionalText(row.error),
    createdAt: date(row.created_at),
  };
}

/** Columns of {@link toAuditEntry}. */
export const AUDIT_COLUMNS = 'id, user_id, action, resource, outcome, ip, details, created_at';

/** A `AuditEntry` from its row (either driver). */
export function toAuditEntry(row: Row): AuditEntry {
  return {
    id: String(row.id),
    userId: optionalText(row.user_id),
    action: String(row.action),
    resource: optionalText(row.resource),
    outcome: row.outcome as AuditEntry['outcome'],
    ip: optionalText(row.ip),
    details: object(row.details),
    createdAt: date(row.created_at),
  };
}

/** Columns of {@link toUsageEvent}. */
export const USAGE_COLUMNS =
  'id, user_id, provider, model, tool, continuation_id, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, total_tokens, web_search_calls, cost_usd, created_at';

/** A `UsageEvent` from its row (either driver). */
export function toUsageEvent(row: Row): UsageEvent {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    provider: String(row.provider),
    model: String(row.model),
    tool: optionalText(row.tool),
    continuationId: optionalText(row.continuation_id),
    usage: {
      inputTokens: num(row.input_tokens),
      cachedInputTokens: num(row.cached_input_tokens),
      outputTokens: num(row.output_tokens),
      reasoningTokens: num(row.reasoning_tokens),
      totalTokens: num(row.total_tokens),
    },
    webSearchCalls: num(row.web_search_calls),
    costUsd: num(row.cost_usd),
    createdAt: date(row.created_at),
  };
}

/** Columns of {@link toToolCall}. */
export const TOOL_CALL_COLUMNS =
  'id, user_id, session_id, tool, status, continuation_id, provider, model, duration_ms, error_code, error_message, started_at, finished_at';

/** A `ToolCall` from its row (either driver). */
export function toToolCall(row: Row): ToolCall {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    sessionId: optionalText(row.session_id),
    tool: String(row.tool),
    status: row.status as ToolCall['status'],
    continuationId: optionalText(row.continuation_id),
    provider: optionalText(row.provider),
    model: optionalText(row.model),
    durationMs: optionalNum(row.duration_ms),
    errorCode: optionalText(row.error_code),
    errorMessage: optionalText(row.error_message),
    startedAt: date(row.started_at),
    finishedAt: optionalDate(row.finished_at),
  };
}

/** Columns of {@link toRoutingDecision}. */
export const ROUTING_DECISION_COLUMNS =
  'id, user_id, tool_call_id, tool, mode, category, chosen_model, chain, reasons, rejected, estimated_cost_usd, created_at';

/** A `RoutingDecisionRecord` from its row (either driver). */
export function toRoutingDecision(row: Row): RoutingDecisionRecord {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    toolCallId: optionalText(row.tool_call_id),
    tool: optionalText(row.tool),
    mode: String(row.mode),
    category: optionalText(row.category),
    chosenModel: String(row.chosen_model),
    chain: (row.chain ?? []) as unknown[],
    reasons: (row.reasons ?? []) as string[],
    rejected: (row.rejected ?? []) as unknown[],
    estimatedCostUsd: optionalNum(row.estimated_cost_usd),
    createdAt: date(row.created_at),
  };
}

/** Columns of {@link toSession}. */
export const SESSION_COLUMNS = 'id, user_id, transport, client_name, client_version, ip, replica, started_at, last_seen_at, ended_at';

/** A `SessionRecord` from its row (either driver). */
export function toSession(row: Row): SessionRecord {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    transport: row.transport as SessionRecord['transport'],
    clientName: optionalText(row.client_name),
    clientVersion: optionalText(row.client_version),
    ip: optionalText(row.ip),
    replica: optionalText(row.replica),
    startedAt: date(row.started_at),
    lastSeenAt: date(row.last_seen_at),
    endedAt: optionalDate(row.ended_at),
  };
}

/** Columns of {@link toWorkflowState}. */
export const WORKFLOW_COLUMNS = 'continuation_id, tool, owner_id, step_number, total_steps, state, expires_at, updated_at';

/** A `WorkflowState` from its row (either driver). */
export function toWorkflowState(row: Row): WorkflowState {
  return {
    continuationId: String(row.continuation_id),
    tool: String(row.tool),
    ownerId: String(row.owner_id),
    stepNumber: num(row.step_number),
    totalSteps: optionalNum(row.total_steps),
    state: object(row.state),
    expiresAt: optionalDate(row.expires_at),
    updatedAt: date(row.updated_at),
  };
}

/** A `UserQuota` from its row (either driver). */
export function toUserQuota(row: Row): UserQuota {
  return {
    userId: String(row.user_id),
    storageQuotaBytes: num(row.storage_quota_bytes),
    storageUsedBytes: num(row.storage_used_bytes),
    monthlyTokenBudget: optionalNum(row.monthly_token_budget),
    monthlyCostBudgetUsd: optionalNum(row.monthly_cost_budget_usd),
  };
}

/** A `StoredMetricSample` from its row (either driver). */
export function toMetricSample(row: Row): StoredMetricSample {
  return {
    name: String(row.name),
    value: num(row.value),
    labels: object<Record<string, string>>(row.labels),
    recordedAt: date(row.recorded_at),
  };
}
