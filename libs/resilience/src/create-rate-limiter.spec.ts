import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Redis, type RedisOptions } from 'ioredis';
import { createRateLimiter } from './create-rate-limiter.js';
import { RateLimitExceededError } from './rate-limit-exceeded-error.js';
import { RateLimitStoreError } from './rate-limit-store-error.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Redis and Date.now() are both millisecond clocks; allow for a tick of rounding on each side. */
const CLOCK_SLACK_MS = 25;

describe('createRateLimiter in memory', () => {
  it('allows a burst, refuses the next call with an exact retryAfterMs, then refills', async () => {
    // Fake timers drive Date.now(), which RateLimiterMemory reads, so the timing is exact here; the
    // Redis suite checks the same against a real clock.
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const limiter = createRateLimiter({ name: 'user', ratePerSecond: 3 });
      expect(limiter.burst).toBe(3);
      expect(limiter.windowMs).toBe(1000);
      const remaining: number[] = [];
      for (let index = 0; index < 3; index++) {
        const decision = await limiter.consume('alice');
        expect(decision.allowed).toBe(true);
        expect(decision.retryAfterMs).toBe(0);
        remaining.push(decision.remaining);
        jest.advanceTimersByTime(100);
      }
      expect(remaining).toEqual([2, 1, 0]);
      // The window began with the first call, 300 ms ago.
      await expect(limiter.consume('alice')).resolves.toEqual({ allowed: false, retryAfterMs: 700, remaining: 0 });
      jest.advanceTimersByTime(699);
      await expect(limiter.consume('alice')).resolves.toEqual({ allowed: false, retryAfterMs: 1, remaining: 0 });
      jest.advanceTimersByTime(1);
      await expect(limiter.consume('alice')).resolves.toEqual({ allowed: true, retryAfterMs: 0, remaining: 2 });
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps keys apart', async () => {
    const limiter = createRateLimiter({ name: 'ip', ratePerSecond: 1 });
    expect((await limiter.consume('10.0.0.1')).allowed).toBe(true);
    expect((await limiter.consume('10.0.0.1')).allowed).toBe(false);
    expect((await limiter.consume('10.0.0.2')).allowed).toBe(true);
  });

  it('allows a burst above the rate and spreads the refill over burst / rate seconds', async () => {
    const limiter = createRateLimiter({ name: 'global', ratePerSecond: 2, burst: 4 });
    expect(limiter.windowMs).toBe(2000);
    expect((await limiter.consume('all', 3)).remaining).toBe(1);
    expect((await limiter.consume('all')).allowed).toBe(true);
    const refused = await limiter.consume('all');
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(1500);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(2000);
  });

  it('consumeOrThrow throws a typed RateLimitExceededError', async () => {
    const limiter = createRateLimiter({ name: 'user', ratePerSecond: 1 });
    await limiter.consumeOrThrow('bob');
    const error = await limiter.consumeOrThrow('bob').catch((caught: unknown) => caught);
    expect(RateLimitExceededError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'over_rate_limit', limiter: 'user', key: 'bob' });
    expect((error as RateLimitExceededError).retryAfterMs).toBeGreaterThan(0);
    expect((error as Error).message).toContain('try again in');
  });

  it('rejects settings and point counts it cannot honour', async () => {
    expect(() => createRateLimiter({ name: 'x', ratePerSecond: 0 })).toThrow(RangeError);
    expect(() => createRateLimiter({ name: 'x', ratePerSecond: 10, burst: 5 })).toThrow(/burst must be an integer of at least/);
    expect(() => createRateLimiter({ name: 'x', ratePerSecond: 2, burst: 2.5 })).toThrow(RangeError);
    const limiter = createRateLimiter({ name: 'x', ratePerSecond: 2 });
    await expect(limiter.consume('k', 3)).rejects.toThrow(RangeError);
    await expect(limiter.consume('k', 0)).rejects.toThrow(RangeError);
  });

  it('rounds a fractional rate to whole-second windows without exceeding it', () => {
    const limiter = createRateLimiter({ name: 'slow', ratePerSecond: 0.5 });
    expect(limiter.burst).toBe(1);
    expect(limiter.windowMs).toBe(2000);
    expect(createRateLimiter({ name: 'f', ratePerSecond: 0.3, burst: 3 }).windowMs).toBe(10_000);
  });
});

/** An ioredis client for an address where nothing listens: every command fails at once. */
function unreachableRedis(): Redis {
  const client = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // connection errors are expected here
  return client;
}

describe('createRateLimiter with an unreachable Redis', () => {
  const clients: Redis[] = [];
  afterAll(() => {
    for (const client of clients) client.disconnect();
  });

  it('fails open by default: reports the error and limits in memory', async () => {
    const redis = unreachableRedis();
    clients.push(redis);
    const errors: RateLimitStoreError[] = [];
    const limiter = createRateLimiter({ name: 'user', ratePerSecond: 2, redis, onRedisError: (error) => errors.push(error) });
    const decisions = [await limiter.consume('carol'), await limiter.consume('carol'), await limiter.consume('carol')];
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, false]);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatchObject({ code: 'rate_limit_store_unavailable', limiter: 'user', key: 'carol' });
    expect(errors[0]?.cause).toBeInstanceOf(Error);
  });

  it('fails closed when asked: rejects with RateLimitStoreError', async () => {
    const redis = unreachableRedis();
    clients.push(redis);
    const errors: unknown[] = [];
    const limiter = createRateLimiter({ name: 'global', ratePerSecond: 50, redis, failOpen: false, onRedisError: (error) => errors.push(error) });
    const begun = performance.now();
    const error = await limiter.consume('all').catch((caught: unknown) => caught);
    expect(performance.now() - begun).toBeLessThan(400);
    expect(RateLimitStoreError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'rate_limit_store_unavailable', limiter: 'global', key: 'all' });
    expect(errors).toEqual([error]);
    await expect(limiter.consumeOrThrow('all')).rejects.toBeInstanceOf(RateLimitStoreError);
  });

  it('treats a Redis that does not answer within storeTimeoutMs as down', async () => {
    // With the offline queue on and endless reconnects, ioredis holds commands forever.
    const redis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: null, retryStrategy: () => 1000 });
    redis.on('error', () => undefined);
    clients.push(redis);
    const errors: RateLimitStoreError[] = [];
    const limiter = createRateLimiter({ name: 'ip', ratePerSecond: 5, redis, storeTimeoutMs: 50, onRedisError: (error) => errors.push(error) });
    const begun = performance.now();
    const decision = await limiter.consume('10.0.0.9');
    const elapsed = performance.now() - begun;
    expect(decision.allowed).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(45);
    expect(elapsed).toBeLessThan(500);
    expect((errors[0]?.cause as Error).message).toContain('within 50 ms');
  });
});

const redisUrl = process.env.REDIS_URL;
/** These tests need a real Redis server; CI and the dev machine set REDIS_URL. */
const describeRedis = redisUrl ? describe : describe.skip;

describeRedis('createRateLimiter through a real Redis (requires REDIS_URL)', () => {
  // A prefix of its own per run, so parallel runs and leftovers never share counters.
  const prefix = `exai-test:${process.pid}:${Date.now()}`;
  const clients: Redis[] = [];
  const connect = async (options: RedisOptions = {}): Promise<Redis> => {
    const client = new Redis(redisUrl as string, { lazyConnect: true, ...options });
    clients.push(client);
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    await connect();
  });

  afterAll(async () => {
    const [admin] = clients;
    if (admin) {
      const keys = await admin.keys(`${prefix}:*`);
      if (keys.length > 0) await admin.del(...keys);
    }
    await Promise.all(clients.map((client) => client.quit()));
  });

  it('enforces one limit across two replicas sharing the Redis', async () => {
    const replicaA = createRateLimiter({ name: 'user', ratePerSecond: 4, keyPrefix: `${prefix}:replicas`, redis: await connect() });
    const replicaB = createRateLimiter({ name: 'user', ratePerSecond: 4, keyPrefix: `${prefix}:replicas`, redis: await connect() });
    const allowed = [
      await replicaA.consume('dave'),
      await replicaB.consume('dave'),
      await replicaA.consume('dave'),
      await replicaB.consume('dave'),
    ];
    expect(allowed.map((decision) => [decision.allowed, decision.remaining])).toEqual([
      [true, 3],
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    const refusedA = await replicaA.consume('dave');
    const refusedB = await replicaB.consume('dave');
    expect([refusedA.allowed, refusedB.allowed]).toEqual([false, false]);
    expect(refusedA.retryAfterMs).toBeGreaterThan(500);
    expect(refusedA.retryAfterMs).toBeLessThanOrEqual(1000);
    // Another key, same replicas: its own bucket.
    expect((await replicaB.consume('erin')).allowed).toBe(true);
  });

  it('refills after retryAfterMs and stores the counter under the key prefix', async () => {
    const redis = clients[0]!;
    const limiter = createRateLimiter({ name: 'global', ratePerSecond: 2, keyPrefix: `${prefix}:refill`, redis });
    await limiter.consume('all', 2);
    const refused = await limiter.consume('all');
    expect(refused.allowed).toBe(false);
    expect(Number(await redis.get(`${prefix}:refill:all`))).toBeGreaterThanOrEqual(2);
    await sleep(refused.retryAfterMs + CLOCK_SLACK_MS);
    await expect(limiter.consume('all')).resolves.toEqual({ allowed: true, retryAfterMs: 0, remaining: 1 });
  });

  it('uses Redis, not memory: a fail-closed limiter on a live Redis answers without errors', async () => {
    const errors: unknown[] = [];
    const limiter = createRateLimiter({
      name: 'ip',
      ratePerSecond: 1,
      keyPrefix: `${prefix}:live`,
      redis: clients[0]!,
      failOpen: false,
      onRedisError: (error) => errors.push(error),
    });
    expect((await limiter.consume('10.1.1.1')).allowed).toBe(true);
    // A second limiter object (a restarted process) sees the same spent bucket.
    const restarted = createRateLimiter({ name: 'ip', ratePerSecond: 1, keyPrefix: `${prefix}:live`, redis: clients[0]!, failOpen: false });
    await expect(restarted.consumeOrThrow('10.1.1.1')).rejects.toBeInstanceOf(RateLimitExceededError);
    expect(errors).toEqual([]);
  });
});
