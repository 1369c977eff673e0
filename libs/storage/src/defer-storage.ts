import type { ServiceStorage, Storage, StorageKind, StorageStatus, UserStorage } from './storage.js';
import { requireUuid } from './validate-input.js';

const userRepositories = ['conversations', 'files', 'uploads', 'audit', 'usage', 'toolCalls', 'routingDecisions', 'sessions', 'workflows', 'quota'] as const;

/** An object whose every method waits for `target` and then calls the same method on it. */
function deferredMethods<T extends object>(target: Promise<T>): T {
  // Reported by the first call that needs it; never an unhandled rejection before then.
  target.catch(() => undefined);
  return new Proxy({} as T, {
    get: (_object, method) =>
      (...args: unknown[]) =>
        target.then((resolved) => (resolved as Record<PropertyKey, (...a: unknown[]) => unknown>)[method]?.(...args)),
  });
}

/**
 * A `Storage` usable at once while the real one opens (PGlite needs a moment, migrations more):
 * every call waits for it, and fails with the reason when it could not open. A server answers its
 * MCP handshake without waiting for storage; the first call that needs it waits instead.
 */
export function deferStorage(opening: Promise<Storage>, kind: StorageKind): Storage {
  let opened: Storage | undefined;
  let failure: unknown;
  opening.then(
    (storage) => {
      opened = storage;
    },
    (error: unknown) => {
      failure = error;
    },
  );
  const serviceMethods = deferredMethods(opening.then((storage) => storage.service));
  const serviceAudit = deferredMethods(opening.then((storage) => storage.service.audit));
  const service = new Proxy({} as ServiceStorage, {
    get: (_object, key) => (key === 'audit' ? serviceAudit : (serviceMethods as unknown as Record<PropertyKey, unknown>)[key]),
  });
  return {
    kind,
    forUser(userId: string): UserStorage {
      const id = requireUuid(userId, 'userId');
      const scope = opening.then((storage) => storage.forUser(id));
      const user: Record<string, unknown> = { userId: id };
      for (const name of userRepositories) user[name] = deferredMethods(scope.then((resolved) => resolved[name] as object));
      return user as unknown as UserStorage;
    },
    service,
    status(): StorageStatus {
      if (opened) return opened.status();
      const lastError = failure === undefined ? undefined : failure instanceof Error ? failure.message : String(failure);
      return { kind, state: 'down', journalBacklog: 0, journalReplayed: 0, location: failure === undefined ? 'opening' : 'could not open', lastError };
    },
    async close(): Promise<void> {
      const storage = await opening.catch(() => undefined);
      await storage?.close();
    },
  };
}
