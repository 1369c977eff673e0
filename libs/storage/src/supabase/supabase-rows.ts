import type {
  AuditEntry,
  BucketName,
  Conversation,
  FileOperation,
  FileOperationKind,
  Message,
  MessageRole,
  ProviderName,
  ProviderUpload,
  RoutingDecisionRecord,
  SessionRecord,
  SessionTransport,
  StoredFile,
  StoredMetricSample,
  TokenUsage,
  ToolCall,
  ToolCallStatus,
  UploadStatus,
  UsageEvent,
  UsageTotals,
  WorkflowState,
} from '../storage-records.js';

// Rows as PostgREST returns them (JSON of the columns in supabase/migrations): timestamps are ISO
// strings, jsonb is parsed, bigint and numeric are numbers. Each `*_COLUMNS` is the select list its
// converter reads, so a request never fetches more than that.

/** A `timestamptz` as PostgREST prints it (`2026-11-24T19:30:30.780123+00:00`). */
const date = (value: string): Date => new Date(value);
const optionalDate = (value: string | null): Date | undefined => (value === null ? undefined : new Date(value));
const optional = <T>(value: T | null): T | undefined => (value === null ? undefined : value);
const optionalNumber = (value: number | string | null): number | undefined => (value === null ? undefined : Number(value));

/** Columns of `conversations` the adapter reads. */
export const CONVERSATION_COLUMNS = 'id,continuation_id,owner_id,tool,parent_id,title,expires_at,metadata,created_at,updated_at';
/** A `conversations` row. */
export interface ConversationRow {
  id: string;
  continuation_id: string;
  owner_id: string;
  tool: string | null;
  parent_id: string | null;
  title: string | null;
  expires_at: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}
/** The `Conversation` of a row; the parent's continuation id is looked up separately. */
export function toConversation(row: ConversationRow, parentContinuationId: string | undefined): Conversation {
  return {
    id: row.id,
    continuationId: row.continuation_id,
    ownerId: row.owner_id,
    tool: optional(row.tool),
    parentContinuationId,
    title: optional(row.title),
    expiresAt: optionalDate(row.expires_at),
    metadata: row.metadata ?? {},
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

/** Columns of `messages` the adapter reads (not `owner_id`, not `seq`: they only scope and order). */
export const MESSAGE_COLUMNS = 'id,conversation_id,role,content,tool,provider,model,files,images,usage,metadata,idempotency_key,created_at';
/** A `messages` row. */
export interface MessageRow {
  id: string;
  conversation_id: string;
  role: MessageRole;
  content: string;
  tool: string | null;
  provider: string | null;
  model: string | null;
  files: string[];
  images: string[];
  usage: TokenUsage | null;
  metadata: Record<string, unknown>;
  idempotency_key: string;
  created_at: string;
}
/** The `Message` of a row. */
export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    role: row.role,
    content: row.content,
    tool: optional(row.tool),
    provider: optional(row.provider),
    model: optional(row.model),
    files: row.files ?? [],
    images: row.images ?? [],
    usage: optional(row.usage),
    metadata: row.metadata ?? {},
    idempotencyKey: row.idempotency_key,
    createdAt: date(row.created_at),
  };
}

/** Columns of `file_metadata` the adapter reads (not `access_count`, which is internal). */
export const FILE_COLUMNS = 'id,owner_id,bucket,path,filename,content_type,size_bytes,sha256,tags,metadata,created_at,last_accessed_at';
/** A `file_metadata` row. */
export interface FileRow {
  id: string;
  owner_id: string;
  bucket: BucketName;
  path: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  tags: string[];
  metadata: Record<string, unknown>;
  created_at: string;
  last_accessed_at: string;
}
/** The `StoredFile` of a row. */
export function toStoredFile(row: FileRow): StoredFile {
  return {
    id: row.id,
    ownerId: row.owner_id,
    bucket: row.bucket,
    path: row.path,
    filename: row.filename,
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
    tags: row.tags ?? [],
    metadata: row.metadata ?? {},
    createdAt: date(row.created_at),
    lastAccessedAt: date(row.last_accessed_at),
  };
}

/** Columns of `provider_file_uploads`. */
export const UPLOAD_COLUMNS = 'id,owner_id,file_id,sha256,provider,provider_file_id,filename,size_bytes,purpose,status,expires_at,last_used_at,created_at';
/** A `provider_file_uploads` row. */
export interface UploadRow {
  id: string;
  owner_id: string;
  file_id: string | null;
  sha256: string;
  provider: ProviderName;
  provider_file_id: string;
  filename: string | null;
  size_bytes: number | null;
  purpose: string | null;
  status: UploadStatus;
  expires_at: string | null;
  last_used_at: string;
  created_at: string;
}
/** The `ProviderUpload` of a row. */
export function toProviderUpload(row: UploadRow): ProviderUpload {
  return {
    id: row.id,
    ownerId: row.owner_id,
    fileId: optional(row.file_id),
    sha256: row.sha256,
    provider: row.provider,
    providerFileId: row.provider_file_id,
    filename: optional(row.filename),
    sizeBytes: optionalNumber(row.size_bytes),
    purpose: optional(row.purpose),
    status: row.status,
    expiresAt: optionalDate(row.expires_at),
    lastUsedAt: date(row.last_used_at),
    createdAt: date(row.created_at),
  };
}

/** Columns of `file_operations`. */
export const FILE_OPERATION_COLUMNS = 'id,owner_id,file_id,operation,provider,status,bytes,duration_ms,error,created_at';
/** A `file_operations` row. */
export interface FileOperationRow {
  id: string;
  owner_id: string;
  file_id: string | null;
  operation: FileOperationKind;
  provider: string | null;
  status: 'ok' | 'failed';
  bytes: number | null;
  duration_ms: number | null;
  error: string | null;
  created_at: string;
}
/** The `FileOperation` of a row. */
export function toFileOperation(row: FileOperationRow): FileOperation {
  return {
    id: row.id,
    ownerId: row.owner_id,
    fileId: optional(row.file_id),
    operation: row.operation,
    provider: optional(row.provider),
    status: row.status,
    bytes: optionalNumber(row.bytes),
    durationMs: optionalNumber(row.duration_ms),
    error: optional(row.error),
    createdAt: date(row.created_at),
  };
}

/** Columns of `audit_logs`. */
export const AUDIT_COLUMNS = 'id,user_id,action,resource,outcome,ip,details,created_at';
/** An `audit_logs` row. */
export interface AuditRow {
  id: string;
  user_id: string | null;
  action: string;
  resource: string | null;
  outcome: 'success' | 'failure';
  ip: string | null;
  details: Record<string, unknown>;
  created_at: string;
}
/** The `AuditEntry` of a row. */
export function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    userId: optional(row.user_id),
    action: row.action,
    resource: optional(row.resource),
    outcome: row.outcome,
    ip: optional(row.ip),
    details: row.details ?? {},
    createdAt: date(row.created_at),
  };
}

/** Columns of `usage_events`. */
export const USAGE_COLUMNS =
  'id,user_id,provider,model,tool,continuation_id,input_tokens,cached_input_tokens,output_tokens,reasoning_tokens,total_tokens,web_search_calls,cost_usd,created_at';
/** A `usage_events` row. */
export interface UsageRow {
  id: string;
  user_id: string;
  provider: string;
  model: string;
  tool: string | null;
  continuation_id: string | null;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
  web_search_calls: number;
  cost_usd: number | string;
  created_at: string;
}
/** The `UsageEvent` of a row. */
export function toUsageEvent(row: UsageRow): UsageEvent {
  return {
    id: row.id,
    userId: row.user_id,
    provider: row.provider,
    model: row.model,
    tool: optional(row.tool),
    continuationId: optional(row.continuation_id),
    usage: {
      inputTokens: row.input_tokens,
      cachedInputTokens: row.cached_input_tokens,
      outputTokens: row.output_tokens,
      reasoningTokens: row.reasoning_tokens,
      totalTokens: row.total_tokens,
    },
    webSearchCalls: row.web_search_calls,
    costUsd: Number(row.cost_usd),
    createdAt: date(row.created_at),
  };
}

/** A row of `exai_usage_totals_by_day` (supabase/migrations/20261124000300_rpc.sql). */
export interface UsageTotalsRow {
  day: string;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost_usd: number | string;
}
/** The `UsageTotals` of a row. */
export function toUsageTotals(row: UsageTotalsRow): UsageTotals {
  return {
    day: row.day,
    calls: Number(row.calls),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    totalTokens: Number(row.total_tokens),
    costUsd: Number(row.cost_usd),
  };
}

/** Columns of `tool_calls`. */
export const TOOL_CALL_COLUMNS = 'id,user_id,session_id,tool,status,continuation_id,provider,model,duration_ms,error_code,error_message,started_at,finished_at';
/** A `tool_calls` row. */
export interface ToolCallRow {
  id: string;
  user_id: string;
  session_id: string | null;
  tool: string;
  status: ToolCallStatus;
  continuation_id: string | null;
  provider: string | null;
  model: string | null;
  duration_ms: number | null;
  error_code: string | null;
  error_message: string | null;
  started_at: string;
  finished_at: string | null;
}
/** The `ToolCall` of a row. */
export function toToolCall(row: ToolCallRow): ToolCall {
  return {
    id: row.id,
    userId: row.user_id,
    sessionId: optional(row.session_id),
    tool: row.tool,
    status: row.status,
    continuationId: optional(row.continuation_id),
    provider: optional(row.provider),
    model: optional(row.model),
    durationMs: optionalNumber(row.duration_ms),
    errorCode: optional(row.error_code),
    errorMessage: optional(row.error_message),
    startedAt: date(row.started_at),
    finishedAt: optionalDate(row.finished_at),
  };
}

/** Columns of `routing_decisions`. */
export const ROUTING_DECISION_COLUMNS = 'id,user_id,tool_call_id,tool,mode,category,chosen_model,chain,reasons,rejected,estimated_cost_usd,created_at';
/** A `routing_decisions` row. */
export interface RoutingDecisionRow {
  id: string;
  user_id: string;
  tool_call_id: string | null;
  tool: string | null;
  mode: string;
  category: string | null;
  chosen_model: string;
  chain: unknown[];
  reasons: string[];
  rejected: unknown[];
  estimated_cost_usd: number | string | null;
  created_at: string;
}
/** The `RoutingDecisionRecord` of a row. */
export function toRoutingDecision(row: RoutingDecisionRow): RoutingDecisionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    toolCallId: optional(row.tool_call_id),
    tool: optional(row.tool),
    mode: row.mode,
    category: optional(row.category),
    chosenModel: row.chosen_model,
    chain: row.chain ?? [],
    reasons: row.reasons ?? [],
    rejected: row.rejected ?? [],
    estimatedCostUsd: optionalNumber(row.estimated_cost_usd),
    createdAt: date(row.created_at),
  };
}

/** Columns of `sessions`. */
export const SESSION_COLUMNS = 'id,user_id,transport,client_name,client_version,ip,replica,started_at,last_seen_at,ended_at';
/** A `sessions` row. */
export interface SessionRow {
  id: string;
  user_id: string;
  transport: SessionTransport;
  client_name: string | null;
  client_version: string | null;
  ip: string | null;
  replica: string | null;
  started_at: string;
  last_seen_at: string;
  ended_at: string | null;
}
/** The `SessionRecord` of a row. */
export function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    transport: row.transport,
    clientName: optional(row.client_name),
    clientVersion: optional(row.client_version),
    ip: optional(row.ip),
    replica: optional(row.replica),
    startedAt: date(row.started_at),
    lastSeenAt: date(row.last_seen_at),
    endedAt: optionalDate(row.ended_at),
  };
}

/** Columns of `workflow_states`. */
export const WORKFLOW_COLUMNS = 'continuation_id,tool,owner_id,step_number,total_steps,state,expires_at,updated_at';
/** A `workflow_states` row. */
export interface WorkflowRow {
  continuation_id: string;
  tool: string;
  owner_id: string;
  step_number: number;
  total_steps: number | null;
  state: Record<string, unknown>;
  expires_at: string | null;
  updated_at: string;
}
/** The `WorkflowState` of a row. */
export function toWorkflowState(row: WorkflowRow): WorkflowState {
  return {
    continuationId: row.continuation_id,
    tool: row.tool,
    ownerId: row.owner_id,
    stepNumber: row.step_number,
    totalSteps: optionalNumber(row.total_steps),
    state: row.state ?? {},
    expiresAt: optionalDate(row.expires_at),
    updatedAt: date(row.updated_at),
  };
}

/** A row of `exai_storage_quota`: the quota columns are null when the user has no `user_quotas` row. */
export interface QuotaRow {
  user_id: string;
  storage_quota_bytes: number | null;
  storage_used_bytes: number;
  monthly_token_budget: number | null;
  monthly_cost_budget_usd: number | string | null;
}

/** Columns of `monitoring.metrics_raw` the adapter reads. */
export const METRIC_COLUMNS = 'name,value,labels,recorded_at';
/** A `monitoring.metrics_raw` row. */
export interface MetricRow {
  name: string;
  value: number;
  labels: Record<string, string>;
  recorded_at: string;
}
/** The `StoredMetricSample` of a row. */
export function toMetricSample(row: MetricRow): StoredMetricSample {
  return { name: row.name, value: Number(row.value), labels: row.labels ?? {}, recordedAt: date(row.recorded_at) };
}
