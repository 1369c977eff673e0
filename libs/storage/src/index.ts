// @exai/storage: one interface (`Storage`) over four adapters, behind a breaker and a write-ahead journal.
export { createStorage, type CreateStorageOptions } from './create-storage.js';
export { readStorageConfig, defaultDataDir, type StorageConfig } from './storage-config.js';
export type {
  Storage,
  StorageKind,
  StorageStatus,
  UserStorage,
  ServiceStorage,
  ConversationRepository,
  FileRepository,
  ProviderUploadRepository,
  AuditRepository,
  UsageRepository,
  ToolCallRepository,
  RoutingDecisionRepository,
  SessionRepository,
  WorkflowStateRepository,
  QuotaRepository,
} from './storage.js';
export { LOCAL_USER_ID, BUCKETS, MAX_OBJECT_BYTES, DEFAULT_STORAGE_QUOTA_BYTES } from './storage-records.js';
export type {
  BucketName,
  TokenUsage,
  Conversation,
  NewConversation,
  MessageRole,
  Message,
  NewMessage,
  Thread,
  LoadThreadOptions,
  StoredFile,
  NewFile,
  PutFileResult,
  ExternalIdSource,
  ProviderName,
  UploadStatus,
  ProviderUpload,
  NewProviderUpload,
  FileOperationKind,
  FileOperation,
  NewFileOperation,
  AuditEntry,
  NewAuditEntry,
  UsageEvent,
  NewUsageEvent,
  UsageTotals,
  ToolCallStatus,
  ToolCall,
  NewToolCall,
  ToolCallFinish,
  ToolCallFilter,
  RoutingDecisionRecord,
  NewRoutingDecision,
  SessionTransport,
  SessionRecord,
  NewSession,
  WorkflowState,
  WorkflowStateInput,
  UserQuota,
  QuotaSettings,
  MetricSample,
  StoredMetricSample,
} from './storage-records.js';
export {
  StorageNotFoundError,
  QuotaExceededError,
  FileTooLargeError,
  InvalidStorageInputError,
  StorageUnavailableError,
  StorageConfigError,
} from './storage-errors.js';
export { createMemoryStorage, type MemoryStorageOptions } from './memory/index.js';
// The SQL and Supabase adapters live behind subpaths (`@exai/storage/sql`, `@exai/storage/supabase`):
// importing this entry must not load PGlite, pg or supabase-js (createStorage loads the one chosen).
export type { PgliteStorageOptions, PostgresStorageOptions, ApplyMigrationsOptions, MigrationFile, SqlLogger } from './sql/index.js';
export type { SupabaseStorageOptions } from './supabase/index.js';
export { createJournaledStorage, DEFAULT_PROBE_INTERVAL_MS, type JournaledStorage, type JournaledStorageOptions, type StorageLogger } from './journal/index.js';
export { sanitizeFilename } from './sanitize-filename.js';
export { DataDirLockedError } from './data-dir-lock.js';
export { deferStorage } from './defer-storage.js';
