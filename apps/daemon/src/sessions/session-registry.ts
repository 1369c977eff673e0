import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** One open connection or MCP session. */
export interface SessionInfo {
  id: string;
  userId: string;
  subject: string;
  /** `websocket`, `http`, `legacy-websocket`, `openai` … */
  transport: string;
  ip: string;
  replicaId: string;
  openedAt: number;
  lastSeenAt: number;
}

/**
 * Open sessions: in this process, and — with Redis — in a registry every replica writes to
 * (`exai:session:<id>`, expiring unless refreshed), so any replica can count and list the whole
 * deployment's sessions and a session id is never reused across replicas.
 */
export class SessionRegistry {
  readonly #local = new Map<string, SessionInfo>();
  readonly #prefix: string;

  constructor(
    private readonly options: { redis?: Redis | undefined; ttlMs: number; replicaId: string; logger: Logger; keyPrefix?: string },
  ) {
    this.#prefix = options.keyPrefix ?? 'exai:session:';
  }

  /** Sessions of this replica. */
  get size(): number {
    return this.#local.size;
  }

  list(): SessionInfo[] {
    return [...this.#local.values()];
  }

  /** Sessions of this replica by transport (`websocket`, `http`, `legacy-websocket`). */
  countByTransport(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const session of this.#local.values()) counts[session.transport] = (counts[session.transport] ?? 0) + 1;
    return counts;
  }

  get(id: string): SessionInfo | undefined {
    return this.#local.get(id);
  }

  open(session: Omit<SessionInfo, 'replicaId' | 'openedAt' | 'lastSeenAt'>): SessionInfo {
    const now = Date.now();
    const info: SessionInfo = { ...session, replicaId: this.options.replicaId, openedAt: now, lastSeenAt: now };
    this.#local.set(info.id, info);
    this.write(info);
    return info;
  }

  /** Marks activity; refreshes the shared entry at most every tenth of the TTL. */
  touch(id: string): void {
    const info = this.#local.get(id);
    if (!info) return;
    const now = Date.now();
    const refresh = now - info.lastSeenAt > this.options.ttlMs / 10;
    info.lastSeenAt = now;
    if (refresh) this.write(info);
  }

  close(id: string): void {
    if (!this.#local.delete(id)) return;
    this.options.redis?.del(this.#prefix + id).catch((error: unknown) => this.options.logger.debug({ err: error }, 'session registry: delete failed'));
  }

  /** Sessions of every replica (Redis), or of this one without Redis or when Redis fails. */
  async listAll(): Promise<SessionInfo[]> {
    const redis = this.options.redis;
    if (!redis) return this.list();
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${this.#prefix}*`, 'COUNT', 500);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0' && keys.length < 100_000);
      if (keys.length === 0) return [];
      const values = await redis.mget(...keys);
      return values.filter((value): value is string => value !== null).map((value) => JSON.parse(value) as SessionInfo);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'session registry: Redis unavailable, listing this replica only');
      return this.list();
    }
  }

  private write(info: SessionInfo): void {
    this.options.redis
      ?.set(this.#prefix + info.id, JSON.stringify(info), 'PX', this.options.ttlMs)
      .catch((error: unknown) => this.options.logger.debug({ err: error }, 'session registry: write failed'));
  }
}
