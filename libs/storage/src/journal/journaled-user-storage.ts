import { randomUUID } from 'node:crypto';
import type { ConversationRepository, UserStorage, WorkflowStateRepository } from '../storage.js';
import type { LoadThreadOptions, NewMessage, ProviderUpload, Thread, WorkflowState } from '../storage-records.js';
import { StorageNotFoundError } from '../storage-errors.js';
import { deepCopy } from '../memory/deep-copy.js';
import { workflowOf, type JournalGateway } from './journal-gateway.js';
import type { OperationArgs } from './journal-operations.js';
import {
  addMessage,
  buildConversation,
  buildMessage,
  foldThreadEntries,
  later,
  mergeLoadedConversation,
  mergeLoadedThread,
  patchConversation,
  threadOf,
  viewThread,
  type ThreadState,
} from './thread-state.js';

/**
 * The repositories of one user over a {@link JournalGateway}. Journaled writes fill in their
 * defaults (ids, idempotency keys, timestamps) before anything else, so the call that reaches the
 * database directly and the one replayed from the journal are the same call.
 */
export function createJournaledUserStorage(gateway: JournalGateway, userId: string): UserStorage {
  const scope = userId;
  const read = <T>(method: string, args: unknown[], fn: (inner: UserStorage) => Promise<T>): Promise<T> => gateway.read(scope, method, args, (storage) => fn(storage.forUser(scope)));
  const fileBytes = <T>(what: string, fn: (inner: UserStorage) => Promise<T>): Promise<T> =>
    gateway.passThrough(`${what}: file contents are not journaled, only records are`, (storage) => fn(storage.forUser(scope)));

  return {
    userId,
    conversations: createJournaledConversations(gateway, scope),
    files: {
      put: (input) => fileBytes('the file cannot be stored now', (inner) => inner.files.put(input)),
      get: (fileId) => read('files.get', [fileId], (inner) => inner.files.get(fileId)),
      findBySha256: (sha256, bucket) => read('files.findBySha256', [sha256, bucket], (inner) => inner.files.findBySha256(sha256, bucket)),
      read: (fileId) => fileBytes('the file cannot be read now', (inner) => inner.files.read(fileId)),
      delete: (fileId) => fileBytes('the file cannot be deleted now', (inner) => inner.files.delete(fileId)),
      list: (options) => read('files.list', [options], (inner) => inner.files.list(options)),
      mapExternalId: (externalId, source, fileId) => gateway.write(scope, 'files.mapExternalId', [externalId, source, fileId], () => ({ value: undefined })),
      resolveExternalId: (externalId, source) => read('files.resolveExternalId', [externalId, source], (inner) => inner.files.resolveExternalId(externalId, source)),
      recordOperation: (operation) => gateway.write(scope, 'files.recordOperation', [{ ...operation, id: operation.id ?? randomUUID() }], () => ({ value: undefined })),
      listOperations: (options) => read('files.listOperations', [options], (inner) => inner.files.listOperations(options)),
    },
    uploads: {
      record: (input) => {
        const id = randomUUID();
        return gateway.write(scope, 'uploads.record', [input], () => {
          // Recording the same provider file id again answers with the first record, as the database does.
          const earlier = gateway
            .pendingOf(scope)
            .find((entry) => entry.op === 'uploads.record' && matchesUpload(entry.args as OperationArgs<'uploads.record'>, input));
          if (earlier) return { value: uploadOf(earlier.args as OperationArgs<'uploads.record'>, String(earlier.context?.['id']), scope, new Date(earlier.at)) };
          return { value: uploadOf([input], id, scope, new Date()), context: { id } };
        });
      },
      find: (sha256, provider) => read('uploads.find', [sha256, provider], (inner) => inner.uploads.find(sha256, provider)),
      markUsed: (uploadId, at) =>
        gateway.write(scope, 'uploads.markUsed', [gateway.uploadIds.get(uploadId) ?? uploadId, at ?? new Date()], () => ({ value: undefined, context: provisionalUpload(gateway, scope, uploadId) })),
      setStatus: (uploadId, status) =>
        gateway.write(scope, 'uploads.setStatus', [gateway.uploadIds.get(uploadId) ?? uploadId, status], () => ({ value: undefined, context: provisionalUpload(gateway, scope, uploadId) })),
      list: (options) => read('uploads.list', [options], (inner) => inner.uploads.list(options)),
      listOrphaned: (provider) => read('uploads.listOrphaned', [provider], (inner) => inner.uploads.listOrphaned(provider)),
      listExpired: (options) => read('uploads.listExpired', [options], (inner) => inner.uploads.listExpired(options)),
    },
    audit: {
      append: (entry) => gateway.write(scope, 'audit.append', [{ ...entry, id: entry.id ?? randomUUID(), createdAt: entry.createdAt ?? new Date() }], () => ({ value: undefined })),
      list: (options) => read('audit.list', [options], (inner) => inner.audit.list(options)),
    },
    usage: {
      append: (event) => gateway.write(scope, 'usage.append', [{ ...event, id: event.id ?? randomUUID(), createdAt: event.createdAt ?? new Date() }], () => ({ value: undefined })),
      list: (options) => read('usage.list', [options], (inner) => inner.usage.list(options)),
      totalsByDay: (options) => read('usage.totalsByDay', [options], (inner) => inner.usage.totalsByDay(options)),
    },
    toolCalls: {
      start: (call) => {
        const filled = { ...call, id: call.id ?? randomUUID(), startedAt: call.startedAt ?? new Date() };
        return gateway.write(scope, 'toolCalls.start', [filled], () => ({ value: filled.id }));
      },
      finish: (id, outcome) => gateway.write(scope, 'toolCalls.finish', [id, { ...outcome, finishedAt: outcome.finishedAt ?? new Date() }], () => ({ value: undefined })),
      list: (filter) => read('toolCalls.list', [filter], (inner) => inner.toolCalls.list(filter)),
    },
    routingDecisions: {
      append: (decision) =>
        gateway.write(scope, 'routingDecisions.append', [{ ...decision, id: decision.id ?? randomUUID(), createdAt: decision.createdAt ?? new Date() }], () => ({ value: undefined })),
      list: (options) => read('routingDecisions.list', [options], (inner) => inner.routingDecisions.list(options)),
    },
    sessions: {
      open: (session) => gateway.write(scope, 'sessions.open', [session], () => ({ value: undefined })),
      seen: (sessionId, at) => gateway.write(scope, 'sessions.seen', [sessionId, at ?? new Date()], () => ({ value: undefined })),
      close: (sessionId, at) => gateway.write(scope, 'sessions.close', [sessionId, at ?? new Date()], () => ({ value: undefined })),
      list: (options) => read('sessions.list', [options], (inner) => inner.sessions.list(options)),
    },
    workflows: createJournaledWorkflows(gateway, scope),
    quota: {
      get: () => read('quota.get', [], (inner) => inner.quota.get()),
    },
  };
}

/** For an upload id answered while the database was away: the record, so replay can find the stored id. */
function provisionalUpload(gateway: JournalGateway, scope: string, uploadId: string): Record<string, unknown> | undefined {
  const recorded = gateway.pendingOf(scope).find((entry) => entry.op === 'uploads.record' && entry.context?.['id'] === uploadId);
  return recorded ? { recordArgs: (recorded.args as OperationArgs<'uploads.record'>)[0] } : undefined;
}

const matchesUpload = ([recorded]: OperationArgs<'uploads.record'>, input: OperationArgs<'uploads.record'>[0]): boolean =>
  recorded.provider === input.provider && recorded.providerFileId === input.providerFileId;

function uploadOf([input]: OperationArgs<'uploads.record'>, id: string, ownerId: string, at: Date): ProviderUpload {
  return {
    id,
    ownerId,
    fileId: input.fileId,
    sha256: input.sha256,
    provider: input.provider,
    providerFileId: input.providerFileId,
    filename: input.filename,
    sizeBytes: input.sizeBytes,
    purpose: input.purpose,
    status: 'uploaded',
    expiresAt: input.expiresAt,
    lastUsedAt: at,
    createdAt: new Date(at),
  };
}

function createJournaledConversations(gateway: JournalGateway, scope: string): ConversationRepository {
  const key = (continuationId: string): string => `${scope}\0${continuationId}`;
  /** What the cache knows of the thread, with the journaled writes not yet in the database applied. */
  const known = (continuationId: string, base: ThreadState | undefined = gateway.threads.get(key(continuationId))): ThreadState | undefined =>
    foldThreadEntries(base, gateway.pendingOf(scope), scope, continuationId);
  const cache = (continuationId: string, state: ThreadState): void => gateway.threads.set(key(continuationId), state);
  const conversations = (inner: { forUser(userId: string): UserStorage }) => inner.forUser(scope).conversations;

  return {
    create(input) {
      const filled = { ...input, createdAt: input.createdAt ?? new Date() };
      return gateway.write(
        scope,
        'conversations.create',
        [filled],
        () => {
          const existing = known(input.continuationId)?.conversation;
          if (existing) return { value: deepCopy(existing) };
          const id = randomUUID();
          return { value: buildConversation(filled, id, scope), context: { id } };
        },
        (stored) => {
          const cached = gateway.threads.get(key(input.continuationId));
          // A thread created by this call has exactly the createdAt filled in above, and no turns yet.
          const fresh = stored.createdAt.getTime() === filled.createdAt.getTime();
          cache(input.continuationId, cached?.conversation?.id === stored.id ? { ...cached, conversation: stored } : { conversation: stored, messages: [], partial: !fresh });
        },
      );
    },

    async get(continuationId) {
      const outcome = await gateway.attempt((storage) => conversations(storage).get(continuationId));
      let base = gateway.threads.get(key(continuationId));
      if (outcome.ok) {
        base = mergeLoadedConversation(base, outcome.value);
        cache(continuationId, base);
      }
      const state = known(continuationId, base);
      if (!state) throw gateway.unavailable('this thread is not in the cache', outcome.ok ? undefined : outcome.error);
      return state.conversation && deepCopy(state.conversation);
    },

    async list(options = {}) {
      const listed = await gateway.read(scope, 'conversations.list', [options], (storage) => conversations(storage).list(options));
      const pending = gateway.pendingOf(scope).filter((entry) => threadOf(entry) !== undefined);
      if (pending.length === 0) return listed;
      const byId = new Map(listed.map((conversation) => [conversation.continuationId, conversation]));
      for (const continuationId of new Set(pending.map((entry) => threadOf(entry) as string))) {
        const listedConversation = byId.get(continuationId);
        const base = listedConversation ? { conversation: listedConversation, messages: [], partial: true } : gateway.threads.get(key(continuationId));
        const state = foldThreadEntries(base, pending, scope, continuationId);
        if (!state) continue;
        const conversation = state.conversation;
        const wanted =
          conversation !== undefined &&
          (options.tool === undefined || conversation.tool === options.tool) &&
          (options.before === undefined || conversation.updatedAt.getTime() < options.before.getTime());
        if (wanted) byId.set(continuationId, deepCopy(conversation));
        else byId.delete(continuationId);
      }
      return [...byId.values()].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime()).slice(0, options.limit ?? Math.max(50, listed.length));
    },

    update(continuationId, patch) {
      return gateway.write(
        scope,
        'conversations.update',
        [continuationId, patch],
        () => ({ value: known(continuationId)?.conversation !== undefined || known(continuationId) === undefined }),
        (updated) => {
          const cached = gateway.threads.get(key(continuationId));
          if (!updated) cache(continuationId, { conversation: undefined, messages: [], partial: false });
          else if (cached?.conversation) cache(continuationId, { ...cached, conversation: patchConversation(cached.conversation, patch, new Date()) });
        },
      );
    },

    delete(continuationId) {
      return gateway.write(
        scope,
        'conversations.delete',
        [continuationId],
        () => {
          const state = known(continuationId);
          return { value: state === undefined || state.conversation !== undefined };
        },
        () => cache(continuationId, { conversation: undefined, messages: [], partial: false }),
      );
    },

    appendMessage(continuationId, input) {
      const filled: NewMessage & { idempotencyKey: string; createdAt: Date } = { ...input, idempotencyKey: input.idempotencyKey ?? randomUUID(), createdAt: input.createdAt ?? new Date() };
      return gateway.write(
        scope,
        'conversations.appendMessage',
        [continuationId, filled],
        () => {
          const state = known(continuationId);
          if (state && !state.conversation) throw new StorageNotFoundError({ resource: `conversation ${continuationId}` });
          const stored = state?.messages.find((message) => message.idempotencyKey === filled.idempotencyKey);
          if (stored) return { value: deepCopy(stored) };
          const id = randomUUID();
          // The thread travels with the turn, so a restarted process can still show it during the outage.
          return { value: buildMessage(state?.conversation?.id ?? '', filled, id), context: state?.conversation ? { id, conversation: state.conversation } : { id } };
        },
        (stored) => {
          const cached = gateway.threads.get(key(continuationId));
          if (!cached?.conversation) return;
          const added = addMessage(cached, stored);
          cache(continuationId, { ...added, conversation: { ...cached.conversation, updatedAt: later(cached.conversation.updatedAt, stored.createdAt) } });
        },
      );
    },

    async loadThread(continuationId: string, options?: LoadThreadOptions): Promise<Thread | undefined> {
      const outcome = await gateway.attempt((storage) => conversations(storage).loadThread(continuationId, options));
      let base = gateway.threads.get(key(continuationId));
      if (outcome.ok) {
        base = mergeLoadedThread(base, outcome.value);
        cache(continuationId, base);
      }
      const state = known(continuationId, base);
      if (!state) throw gateway.unavailable('this thread is not in the cache', outcome.ok ? undefined : outcome.error);
      return viewThread(state, options);
    },

    attachFile(continuationId, fileId) {
      return gateway.write(scope, 'conversations.attachFile', [continuationId, fileId], () => {
        const state = known(continuationId);
        if (state && !state.conversation) throw new StorageNotFoundError({ resource: `conversation ${continuationId}` });
        return { value: undefined };
      });
    },

    listFiles: (continuationId) => gateway.read(scope, 'conversations.listFiles', [continuationId], (storage) => conversations(storage).listFiles(continuationId)),
  };
}

function createJournaledWorkflows(gateway: JournalGateway, scope: string): WorkflowStateRepository {
  const readKey = (continuationId: string, tool: string): string => gateway.readKey(scope, 'workflows.get', [continuationId, tool]);
  /** The last journaled put or delete of this state not yet in the database: it decides what a read sees. */
  const latestPending = (continuationId: string, tool: string) =>
    gateway
      .pendingOf(scope)
      .filter((entry) => (entry.op === 'workflows.put' || entry.op === 'workflows.delete') && entry.args[0] === continuationId && entry.args[1] === tool)
      .pop();

  return {
    async get(continuationId, tool) {
      const outcome = await gateway.attempt((storage) => storage.forUser(scope).workflows.get(continuationId, tool));
      if (outcome.ok) gateway.reads.set(readKey(continuationId, tool), deepCopy(outcome.value));
      const pending = latestPending(continuationId, tool);
      if (pending) return pending.op === 'workflows.put' ? workflowOf(pending) : undefined;
      if (outcome.ok) return outcome.value;
      if (gateway.reads.has(readKey(continuationId, tool))) return deepCopy(gateway.reads.get(readKey(continuationId, tool)) as WorkflowState | undefined);
      throw gateway.unavailable('this workflow state is not in the cache', outcome.error);
    },

    put(continuationId, tool, state) {
      return gateway.write(
        scope,
        'workflows.put',
        [continuationId, tool, state],
        () => ({ value: workflowOf({ seq: 0, at: new Date().toISOString(), scope, op: 'workflows.put', args: [continuationId, tool, state] }) }),
        (stored) => gateway.reads.set(readKey(continuationId, tool), deepCopy(stored)),
      );
    },

    delete(continuationId, tool) {
      return gateway.write(
        scope,
        'workflows.delete',
        [continuationId, tool],
        () => {
          const pending = latestPending(continuationId, tool);
          if (pending) return { value: pending.op === 'workflows.put' };
          const cachedKey = readKey(continuationId, tool);
          return { value: !gateway.reads.has(cachedKey) || gateway.reads.get(cachedKey) !== undefined };
        },
        () => gateway.reads.set(readKey(continuationId, tool), undefined),
      );
    },
  };
}
