import { randomUUID } from 'node:crypto';
import type {
  AuditEntry,
  Conversation,
  FileOperation,
  Message,
  ProviderUpload,
  RoutingDecisionRecord,
  SessionRecord,
  StoredFile,
  StoredMetricSample,
  ToolCall,
  UsageEvent,
  WorkflowState,
} from '../storage-records.js';
import { deepCopy } from './deep-copy.js';

export { listLimit } from '../validate-input.js';

/** A `conversations` row; the parent is kept by id, so deleting it clears the link (`on delete set null`). */
export interface ConversationRow extends Omit<Conversation, 'parentContinuationId'> {
  parentId: string | undefined;
  seq: number;
}

/** A `messages` row: `seq` orders turns written in the same millisecond, as the table's identity column does. */
export interface MessageRow extends Message {
  ownerId: string;
  seq: number;
}

/** A `file_metadata` row. */
export interface FileRow extends StoredFile {
  accessCount: number;
  seq: number;
}

/** A `user_quotas` row. */
export interface QuotaRow {
  storageQuotaBytes: number;
  monthlyTokenBudget: number | undefined;
  monthlyCostBudgetUsd: number | undefined;
}

/** A row with its insertion number, for stable newest-first ordering. */
export type Sequenced<T> = T & { seq: number };

/**
 * The tables of `supabase/migrations` as maps, shared by every scope of one memory storage. Keys
 * follow the schema's primary keys and unique constraints, so a second insert finds the first row.
 */
export class MemoryStore {
  private sequence = 0;
  /** By continuation id (`unique (continuation_id)`). */
  readonly conversations = new Map<string, ConversationRow>();
  /** By conversation id, oldest first. */
  readonly messages = new Map<string, MessageRow[]>();
  /** By idempotency key (`unique (idempotency_key)`). */
  readonly messageKeys = new Map<string, MessageRow>();
  readonly files = new Map<string, FileRow>();
  /** Object bytes by `bucket/path`. */
  readonly objects = new Map<string, Uint8Array>();
  /** Conversation id → file id → when linked. */
  readonly conversationFiles = new Map<string, Map<string, Date>>();
  readonly uploads = new Map<string, Sequenced<ProviderUpload>>();
  /** By `owner \0 source \0 external id` (`unique (owner_id, source, external_id)`) → file id. */
  readonly mappings = new Map<string, string>();
  readonly fileOperations = new Map<string, Sequenced<FileOperation>>();
  readonly audit = new Map<string, Sequenced<AuditEntry>>();
  readonly quotas = new Map<string, QuotaRow>();
  readonly usage = new Map<string, Sequenced<UsageEvent>>();
  readonly toolCalls = new Map<string, Sequenced<ToolCall>>();
  readonly routingDecisions = new Map<string, Sequenced<RoutingDecisionRecord>>();
  readonly sessions = new Map<string, Sequenced<SessionRecord>>();
  /** By `continuation id \0 tool` (the primary key). */
  readonly workflows = new Map<string, WorkflowState>();
  readonly metrics: Array<Sequenced<StoredMetricSample>> = [];

  /** The next insertion number. */
  nextSeq(): number {
    return ++this.sequence;
  }

  /** Bytes the owner stores now (the sum of their files' sizes). */
  usedBytes(ownerId: string): number {
    let total = 0;
    for (const file of this.files.values()) if (file.ownerId === ownerId) total += file.sizeBytes;
    return total;
  }

  /** Records what the adapters record by themselves: a put, a dedup, a delete. */
  recordFileOperation(ownerId: string, fileId: string | undefined, operation: 'put' | 'dedup' | 'delete', bytes: number): void {
    const id = randomUUID();
    this.fileOperations.set(id, {
      id,
      ownerId,
      fileId,
      operation,
      provider: undefined,
      status: 'ok',
      bytes,
      durationMs: undefined,
      error: undefined,
      createdAt: new Date(),
      seq: this.nextSeq(),
    });
  }

  /** Deletes a thread with its turns and file links; threads branched from it lose their parent. */
  deleteConversation(row: ConversationRow): void {
    this.conversations.delete(row.continuationId);
    for (const message of this.messages.get(row.id) ?? []) this.messageKeys.delete(message.idempotencyKey);
    this.messages.delete(row.id);
    this.conversationFiles.delete(row.id);
    for (const other of this.conversations.values()) if (other.parentId === row.id) other.parentId = undefined;
  }

  /** Deletes a file's object and metadata, following the foreign keys that point at it. */
  deleteFile(row: FileRow): void {
    this.recordFileOperation(row.ownerId, undefined, 'delete', row.sizeBytes);
    this.files.delete(row.id);
    this.objects.delete(objectKey(row.bucket, row.path));
    for (const links of this.conversationFiles.values()) links.delete(row.id);
    for (const [key, fileId] of this.mappings) if (fileId === row.id) this.mappings.delete(key);
    for (const upload of this.uploads.values()) if (upload.fileId === row.id) upload.fileId = undefined;
    for (const operation of this.fileOperations.values()) if (operation.fileId === row.id) operation.fileId = undefined;
  }
}

/** Where an object's bytes are kept. */
export function objectKey(bucket: string, path: string): string {
  return `${bucket}/${path}`;
}

/** Rows newest first by `at`, later inserts first on ties, at most `limit`. */
export function newestFirst<T extends { seq: number }>(rows: Iterable<T>, at: (row: T) => Date, limit: number): T[] {
  return [...rows].sort((a, b) => at(b).getTime() - at(a).getTime() || b.seq - a.seq).slice(0, limit);
}

/** A copy the caller may change without touching the store. */
export function copy<T>(value: T): T {
  return deepCopy(value);
}

/** Drops the bookkeeping `seq` of a row. */
export function withoutSeq<T extends { seq: number }>(row: T): Omit<T, 'seq'> {
  const { seq: _seq, ...rest } = copy(row);
  return rest;
}

/** Rounds to `numeric(14, 8)` as PostgreSQL stores money amounts. */
export function toNumeric8(value: number): number {
  return Math.round(value * 1e8) / 1e8;
}
