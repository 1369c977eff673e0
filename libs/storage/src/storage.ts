import type {
  AuditEntry,
  BucketName,
  Conversation,
  ExternalIdSource,
  FileOperation,
  LoadThreadOptions,
  Message,
  MetricSample,
  NewAuditEntry,
  NewConversation,
  NewFile,
  NewFileOperation,
  NewMessage,
  NewProviderUpload,
  NewRoutingDecision,
  NewSession,
  NewToolCall,
  NewUsageEvent,
  ProviderName,
  ProviderUpload,
  PutFileResult,
  QuotaSettings,
  RoutingDecisionRecord,
  SessionRecord,
  StoredFile,
  StoredMetricSample,
  Thread,
  ToolCall,
  ToolCallFilter,
  ToolCallFinish,
  UploadStatus,
  UsageEvent,
  UsageTotals,
  UserQuota,
  WorkflowState,
  WorkflowStateInput,
} from './storage-records.js';

/** Conversations and their turns. Every method sees only the scope's own threads. */
export interface ConversationRepository {
  /** Creates a thread; creating one that exists (same continuation id, same owner) returns it unchanged. */
  create(input: NewConversation): Promise<Conversation>;
  get(continuationId: string): Promise<Conversation | undefined>;
  /** The scope's threads, most recently updated first. */
  list(options?: { limit?: number; before?: Date; tool?: string }): Promise<Conversation[]>;
  /** Changes title, expiry or metadata (merged). False when the thread does not exist. */
  update(continuationId: string, patch: { title?: string; expiresAt?: Date | null; metadata?: Record<string, unknown> }): Promise<boolean>;
  /** Deletes the thread, its turns and file links. False when it did not exist. */
  delete(continuationId: string): Promise<boolean>;
  /**
   * Appends a turn (and bumps the thread's `updatedAt`). Idempotent by `idempotencyKey`: a second
   * write with the same key returns the stored message. Throws `StorageNotFoundError` for an unknown thread.
   */
  appendMessage(continuationId: string, message: NewMessage): Promise<Message>;
  /** The newest turns within the budget, oldest first; undefined for an unknown (or foreign) thread. */
  loadThread(continuationId: string, options?: LoadThreadOptions): Promise<Thread | undefined>;
  attachFile(continuationId: string, fileId: string): Promise<void>;
  listFiles(continuationId: string): Promise<StoredFile[]>;
}

/** Bucket files with dedup by sha256 and the owner's quota checked before every write. */
export interface FileRepository {
  /**
   * Stores bytes under `{owner}/{sha[0:2]}/{sha}/{filename}`. Identical content already stored by the
   * owner in the bucket is not written again (`deduplicated: true`). Throws `QuotaExceededError`
   * when the new bytes would exceed the owner's quota, `FileTooLargeError` above 100 MB.
   */
  put(input: NewFile): Promise<PutFileResult>;
  get(fileId: string): Promise<StoredFile | undefined>;
  findBySha256(sha256: string, bucket?: BucketName): Promise<StoredFile | undefined>;
  /** The file's bytes (and counts the access). Throws `StorageNotFoundError` for an unknown file. */
  read(fileId: string): Promise<Uint8Array>;
  /** Deletes the object and its metadata. False when it did not exist. */
  delete(fileId: string): Promise<boolean>;
  list(options?: { bucket?: BucketName; limit?: number }): Promise<StoredFile[]>;
  /** Remembers that the client calls `fileId` by `externalId` (a path, a provider file id). */
  mapExternalId(externalId: string, source: ExternalIdSource, fileId: string): Promise<void>;
  resolveExternalId(externalId: string, source: ExternalIdSource): Promise<StoredFile | undefined>;
  /** Records a file operation (for activity and cleanup reports). */
  recordOperation(operation: NewFileOperation): Promise<void>;
  listOperations(options?: { fileId?: string; limit?: number }): Promise<FileOperation[]>;
}

/** Files uploaded to providers, found by content hash to reuse the provider's file id. */
export interface ProviderUploadRepository {
  /** Records an upload; recording the same provider file id again returns the stored record. */
  record(input: NewProviderUpload): Promise<ProviderUpload>;
  /** The scope's live upload of this content to this provider (status `uploaded`, not expired). */
  find(sha256: string, provider: ProviderName): Promise<ProviderUpload | undefined>;
  markUsed(uploadId: string, at?: Date): Promise<void>;
  setStatus(uploadId: string, status: UploadStatus): Promise<void>;
  list(options?: { provider?: ProviderName; status?: UploadStatus; limit?: number }): Promise<ProviderUpload[]>;
  /** Live uploads whose stored file is gone (deleted, or never stored). */
  listOrphaned(provider?: ProviderName): Promise<ProviderUpload[]>;
  /** Live uploads past their `expiresAt`, or unused since before `unusedSince`. */
  listExpired(options: { now?: Date; unusedSince?: Date; provider?: ProviderName }): Promise<ProviderUpload[]>;
}

export interface AuditRepository {
  append(entry: NewAuditEntry): Promise<void>;
  list(options?: { action?: string; since?: Date; limit?: number }): Promise<AuditEntry[]>;
}

export interface UsageRepository {
  append(event: NewUsageEvent): Promise<void>;
  list(options?: { since?: Date; limit?: number }): Promise<UsageEvent[]>;
  /** Totals per UTC day between `since` (inclusive) and `until` (exclusive, default now), newest day first. */
  totalsByDay(options: { since: Date; until?: Date }): Promise<UsageTotals[]>;
}

export interface ToolCallRepository {
  /** Records a call as `running`; returns its id. */
  start(call: NewToolCall): Promise<string>;
  finish(id: string, outcome: ToolCallFinish): Promise<void>;
  list(filter?: ToolCallFilter): Promise<ToolCall[]>;
}

export interface RoutingDecisionRepository {
  append(decision: NewRoutingDecision): Promise<void>;
  list(options?: { since?: Date; limit?: number }): Promise<RoutingDecisionRecord[]>;
}

export interface SessionRepository {
  open(session: NewSession): Promise<void>;
  /** Updates `lastSeenAt`. */
  seen(sessionId: string, at?: Date): Promise<void>;
  close(sessionId: string, at?: Date): Promise<void>;
  list(options?: { open?: boolean; limit?: number }): Promise<SessionRecord[]>;
}

export interface WorkflowStateRepository {
  get(continuationId: string, tool: string): Promise<WorkflowState | undefined>;
  put(continuationId: string, tool: string, state: WorkflowStateInput): Promise<WorkflowState>;
  delete(continuationId: string, tool: string): Promise<boolean>;
}

export interface QuotaRepository {
  /** The scope's quota (defaults when no row exists) and the bytes it stores now. */
  get(): Promise<UserQuota>;
}

/** What one user may do: every repository sees and changes only that user's rows. */
export interface UserStorage {
  readonly userId: string;
  readonly conversations: ConversationRepository;
  readonly files: FileRepository;
  readonly uploads: ProviderUploadRepository;
  readonly audit: AuditRepository;
  readonly usage: UsageRepository;
  readonly toolCalls: ToolCallRepository;
  readonly routingDecisions: RoutingDecisionRepository;
  readonly sessions: SessionRepository;
  readonly workflows: WorkflowStateRepository;
  readonly quota: QuotaRepository;
}

/** Operations across users, for the daemon itself (the service role). */
export interface ServiceStorage {
  /** Audit events of any user, or of none (a rejected token). */
  readonly audit: AuditRepository;
  /** Deletes threads (and workflow states) past their expiry; returns how many threads. */
  expireConversations(now?: Date): Promise<number>;
  setQuota(userId: string, quota: QuotaSettings): Promise<UserQuota>;
  getQuota(userId: string): Promise<UserQuota>;
  recordMetrics(samples: MetricSample[]): Promise<void>;
  listMetrics(options: { name: string; since?: Date; limit?: number }): Promise<StoredMetricSample[]>;
  /** Deletes audit records older than `olderThan` (the only way they ever leave); returns how many. */
  purgeAudit(olderThan: Date): Promise<number>;
}

/** Adapter kinds (`EXAI_STORAGE`). */
export type StorageKind = 'pglite' | 'postgres' | 'supabase' | 'memory';

/** Health and backlog, for `/readyz`, metrics and the status tool. */
export interface StorageStatus {
  kind: StorageKind;
  /** `up`: the database answers; `degraded`: writes go to the journal; `down`: neither. */
  state: 'up' | 'degraded' | 'down';
  /** Writes waiting in the journal for the database. */
  journalBacklog: number;
  /** Journal writes replayed into the database since start. */
  journalReplayed: number;
  /** Where data lives (a folder, or the database host without credentials). */
  location: string;
  lastError: string | undefined;
}

/** exai's storage: one interface over every adapter. */
export interface Storage {
  readonly kind: StorageKind;
  /** The repositories of one user (`userId`: a UUID, the JWT subject). */
  forUser(userId: string): UserStorage;
  readonly service: ServiceStorage;
  status(): StorageStatus;
  /** Flushes what is pending and closes connections. */
  close(): Promise<void>;
}
