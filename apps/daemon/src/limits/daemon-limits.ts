import { createRateLimiter, RateLimitStoreError, type RateLimiter } from '@exai/resilience';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DaemonConfig } from '../daemon-config.js';
import type { Principal } from '../daemon-context.js';
import type { LimitExceeded } from './limit-exceeded.js';

/** How long a client refused while the server drains should wait (another replica, or this one restarted). */
export const DRAINING_RETRY_AFTER_MS = 5_000;

/** A connection admitted under the connection limits; `release` it when it closes. */
export interface ConnectionSlot {
  release(): void;
}

/**
 * The daemon's admission limits, shared by every face: open connections in total and per IP, and
 * token-bucket rate limits per call — global, per user and per IP — in Redis when `REDIS_URL` is
 * set (so replicas share them), in memory otherwise. In-flight limits are the router's (global,
 * per session, per provider), which every face's calls go through.
 */
export class DaemonLimits {
  readonly #connections = new Map<string, number>();
  #total = 0;
  readonly #global: RateLimiter;
  readonly #user: RateLimiter;
  readonly #ip: RateLimiter;
  /** Called for each refusal (metrics). */
  onRefused: ((refusal: LimitExceeded) => void) | undefined;

  constructor(
    private readonly config: Pick<DaemonConfig, 'connections' | 'rate'>,
    options: { redis?: Redis | undefined; logger: Logger; keyPrefix?: string },
  ) {
    const prefix = options.keyPrefix ?? 'exai:ratelimit';
    const common = {
      ...(options.redis ? { redis: options.redis } : {}),
      failOpen: config.rate.failOpen,
      onRedisError: (error: RateLimitStoreError) =>
        options.logger.warn({ err: error, failOpen: config.rate.failOpen }, `rate-limit store unavailable: ${config.rate.failOpen ? 'limiting per process' : 'refusing calls'}`),
    };
    this.#global = createRateLimiter({ name: 'global', ratePerSecond: config.rate.global.perSecond, burst: config.rate.global.burst, keyPrefix: `${prefix}:global`, ...common });
    this.#user = createRateLimiter({ name: 'user', ratePerSecond: config.rate.user.perSecond, burst: config.rate.user.burst, keyPrefix: `${prefix}:user`, ...common });
    this.#ip = createRateLimiter({ name: 'ip', ratePerSecond: config.rate.ip.perSecond, burst: config.rate.ip.burst, keyPrefix: `${prefix}:ip`, ...common });
  }

  /** Open connections now (all IPs). */
  get openConnections(): number {
    return this.#total;
  }

  /** Admits a connection from `ip`, or says which limit refuses it. */
  admitConnection(ip: string): ConnectionSlot | LimitExceeded {
    if (this.#total >= this.config.connections.max) {
      return this.refused({ limit: 'connections', message: `the server has its maximum of ${this.config.connections.max} connections (EXAI_MAX_CONNECTIONS)`, retryAfterMs: 5_000 });
    }
    const fromIp = this.#connections.get(ip) ?? 0;
    if (fromIp >= this.config.connections.perIp) {
      return this.refused({ limit: 'connections_per_ip', message: `${ip} has its maximum of ${this.config.connections.perIp} connections (EXAI_MAX_CONNECTIONS_PER_IP)`, retryAfterMs: 5_000 });
    }
    this.#total++;
    this.#connections.set(ip, fromIp + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#total--;
        const left = (this.#connections.get(ip) ?? 1) - 1;
        if (left <= 0) this.#connections.delete(ip);
        else this.#connections.set(ip, left);
      },
    };
  }

  /** Takes one call from the global, user and IP buckets; undefined when allowed. */
  async admitCall(principal: Principal, ip: string): Promise<LimitExceeded | undefined> {
    try {
      const [global, user, fromIp] = await Promise.all([this.#global.consume('all'), this.#user.consume(principal.userId), this.#ip.consume(ip)]);
      if (!global.allowed) return this.refused({ limit: 'rate_global', message: 'the server is over its call rate (EXAI_RATE_GLOBAL_PER_SECOND); retry later', retryAfterMs: global.retryAfterMs });
      if (!user.allowed) return this.refused({ limit: 'rate_user', message: `${principal.subject} is over the per-user call rate (EXAI_RATE_USER_PER_SECOND); retry later`, retryAfterMs: user.retryAfterMs });
      if (!fromIp.allowed) return this.refused({ limit: 'rate_ip', message: `${ip} is over the per-IP call rate (EXAI_RATE_IP_PER_SECOND); retry later`, retryAfterMs: fromIp.retryAfterMs });
      return undefined;
    } catch (error) {
      if (error instanceof RateLimitStoreError) {
        return this.refused({ limit: 'rate_store_unavailable', message: 'the rate-limit store (Redis) is unavailable and EXAI_RATE_LIMIT_FAIL_OPEN is false; retry later', retryAfterMs: 1_000 });
      }
      throw error;
    }
  }

  /**
   * The refusal of new work while the daemon drains (limit `draining`, counted like every other):
   * `what` names the work ("calls", "sessions", "connections", "requests").
   */
  refuseDraining(what: string): LimitExceeded {
    return this.refused({ limit: 'draining', message: `the server is shutting down and takes no new ${what}; retry on another replica or shortly`, retryAfterMs: DRAINING_RETRY_AFTER_MS });
  }

  private refused(refusal: LimitExceeded): LimitExceeded {
    this.onRefused?.(refusal);
    return refusal;
  }
}

/** Whether an admission answer is a refusal. */
export function isRefusal(value: ConnectionSlot | LimitExceeded | undefined): value is LimitExceeded {
  return value !== undefined && 'limit' in value;
}
