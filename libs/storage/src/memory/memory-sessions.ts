import type { SessionRepository } from '../storage.js';
import type { NewSession, SessionRecord, SessionTransport } from '../storage-records.js';
import { InvalidStorageInputError } from '../storage-errors.js';
import { listLimit, newestFirst, type MemoryStore, withoutSeq } from './memory-store.js';

const transports: readonly SessionTransport[] = ['stdio', 'websocket', 'http', 'legacy-ws', 'gateway'];

/** MCP sessions of one user in a {@link MemoryStore}; opening an id that exists is a no-op. */
export function createMemorySessions(store: MemoryStore, userId: string): SessionRepository {
  const own = (sessionId: string) => {
    const row = store.sessions.get(sessionId);
    return row?.userId === userId ? row : undefined;
  };

  return {
    async open(session: NewSession): Promise<void> {
      if (typeof session.id !== 'string' || session.id === '') throw new InvalidStorageInputError({ field: 'id', message: 'must be a non-empty string' });
      if (!transports.includes(session.transport)) throw new InvalidStorageInputError({ field: 'transport', message: `must be one of ${transports.join(', ')}` });
      const existing = store.sessions.get(session.id);
      // `on conflict (id) do nothing`: the first open stays, whoever's it is.
      if (existing) return;
      const now = new Date();
      store.sessions.set(session.id, {
        id: session.id,
        userId,
        transport: session.transport,
        clientName: session.clientName,
        clientVersion: session.clientVersion,
        ip: session.ip,
        replica: session.replica,
        startedAt: now,
        lastSeenAt: new Date(now),
        endedAt: undefined,
        seq: store.nextSeq(),
      });
    },

    async seen(sessionId: string, at?: Date): Promise<void> {
      const row = own(sessionId);
      const seen = new Date(at ?? Date.now());
      if (row && seen.getTime() > row.lastSeenAt.getTime()) row.lastSeenAt = seen;
    },

    async close(sessionId: string, at?: Date): Promise<void> {
      const row = own(sessionId);
      if (!row) return;
      const ended = new Date(at ?? Date.now());
      row.endedAt ??= ended;
      if (ended.getTime() > row.lastSeenAt.getTime()) row.lastSeenAt = ended;
    },

    async list(options: { open?: boolean; limit?: number } = {}): Promise<SessionRecord[]> {
      const rows = [...store.sessions.values()].filter(
        (row) => row.userId === userId && (options.open === undefined || (row.endedAt === undefined) === options.open),
      );
      return newestFirst(rows, (row) => row.lastSeenAt, listLimit(options.limit)).map((row) => withoutSeq(row));
    },
  };
}
