import type { Storage, UserStorage } from '../storage.js';
import type {
  Conversation,
  ExternalIdSource,
  Message,
  NewAuditEntry,
  NewConversation,
  NewFileOperation,
  NewMessage,
  NewProviderUpload,
  NewRoutingDecision,
  NewSession,
  NewToolCall,
  NewUsageEvent,
  ProviderUpload,
  ToolCallFinish,
  UploadStatus,
  WorkflowState,
  WorkflowStateInput,
} from '../storage-records.js';

/** `conversations.update`'s patch. */
export type ConversationPatch = Parameters<UserStorage['conversations']['update']>[1];

/**
 * The writes that can wait in the journal, with their arguments (defaults filled in) and results.
 * Each is idempotent once its defaults are fixed, so replaying it after it reached the database
 * changes nothing: see `journaled-storage.ts` for why, per operation.
 */
export interface JournaledOperations {
  'conversations.create': { args: [input: NewConversation]; result: Conversation };
  'conversations.update': { args: [continuationId: string, patch: ConversationPatch]; result: boolean };
  'conversations.delete': { args: [continuationId: string]; result: boolean };
  'conversations.appendMessage': { args: [continuationId: string, message: NewMessage]; result: Message };
  'conversations.attachFile': { args: [continuationId: string, fileId: string]; result: void };
  'files.recordOperation': { args: [operation: NewFileOperation]; result: void };
  'files.mapExternalId': { args: [externalId: string, source: ExternalIdSource, fileId: string]; result: void };
  'uploads.record': { args: [input: NewProviderUpload]; result: ProviderUpload };
  'uploads.markUsed': { args: [uploadId: string, at: Date]; result: void };
  'uploads.setStatus': { args: [uploadId: string, status: UploadStatus]; result: void };
  'audit.append': { args: [entry: NewAuditEntry]; result: void };
  'usage.append': { args: [event: NewUsageEvent]; result: void };
  'toolCalls.start': { args: [call: NewToolCall]; result: string };
  'toolCalls.finish': { args: [id: string, outcome: ToolCallFinish]; result: void };
  'routingDecisions.append': { args: [decision: NewRoutingDecision]; result: void };
  'sessions.open': { args: [session: NewSession]; result: void };
  'sessions.seen': { args: [sessionId: string, at: Date]; result: void };
  'sessions.close': { args: [sessionId: string, at: Date]; result: void };
  'workflows.put': { args: [continuationId: string, tool: string, state: WorkflowStateInput]; result: WorkflowState };
  'workflows.delete': { args: [continuationId: string, tool: string]; result: boolean };
}

/** The name of a journaled write: `<repository>.<method>`. */
export type JournaledOperation = keyof JournaledOperations;
/** The arguments a journaled write is called (and replayed) with. */
export type OperationArgs<K extends JournaledOperation> = JournaledOperations[K]['args'];
/** What a journaled write answers. */
export type OperationResult<K extends JournaledOperation> = JournaledOperations[K]['result'];

/** The scope of the service role's journaled writes (`service.audit.append`). */
export const SERVICE_SCOPE = 'service';

type Runners = { [K in JournaledOperation]: (user: UserStorage, args: OperationArgs<K>) => Promise<OperationResult<K>> };

const runners: Runners = {
  'conversations.create': (user, [input]) => user.conversations.create(input),
  'conversations.update': (user, [continuationId, patch]) => user.conversations.update(continuationId, patch),
  'conversations.delete': (user, [continuationId]) => user.conversations.delete(continuationId),
  'conversations.appendMessage': (user, [continuationId, message]) => user.conversations.appendMessage(continuationId, message),
  'conversations.attachFile': (user, [continuationId, fileId]) => user.conversations.attachFile(continuationId, fileId),
  'files.recordOperation': (user, [operation]) => user.files.recordOperation(operation),
  'files.mapExternalId': (user, [externalId, source, fileId]) => user.files.mapExternalId(externalId, source, fileId),
  'uploads.record': (user, [input]) => user.uploads.record(input),
  'uploads.markUsed': (user, [uploadId, at]) => user.uploads.markUsed(uploadId, at),
  'uploads.setStatus': (user, [uploadId, status]) => user.uploads.setStatus(uploadId, status),
  'audit.append': (user, [entry]) => user.audit.append(entry),
  'usage.append': (user, [event]) => user.usage.append(event),
  'toolCalls.start': (user, [call]) => user.toolCalls.start(call),
  'toolCalls.finish': (user, [id, outcome]) => user.toolCalls.finish(id, outcome),
  'routingDecisions.append': (user, [decision]) => user.routingDecisions.append(decision),
  'sessions.open': (user, [session]) => user.sessions.open(session),
  'sessions.seen': (user, [sessionId, at]) => user.sessions.seen(sessionId, at),
  'sessions.close': (user, [sessionId, at]) => user.sessions.close(sessionId, at),
  'workflows.put': (user, [continuationId, tool, state]) => user.workflows.put(continuationId, tool, state),
  'workflows.delete': (user, [continuationId, tool]) => user.workflows.delete(continuationId, tool),
};

/** True for an operation this version can replay (a journal written by another version may hold others). */
export function isJournaledOperation(op: string): op is JournaledOperation {
  return Object.hasOwn(runners, op);
}

/** Runs one operation against `storage`: a user's repositories, or `service.audit` for {@link SERVICE_SCOPE}. */
export function runOperation<K extends JournaledOperation>(storage: Storage, scope: string, op: K, args: OperationArgs<K>): Promise<OperationResult<K>> {
  if (scope === SERVICE_SCOPE) {
    if (op !== 'audit.append') return Promise.reject(new Error(`${op} cannot run in the service scope`));
    return storage.service.audit.append((args as OperationArgs<'audit.append'>)[0]) as Promise<OperationResult<K>>;
  }
  const run = runners[op] as (user: UserStorage, args: OperationArgs<K>) => Promise<OperationResult<K>>;
  return run(storage.forUser(scope), args);
}
