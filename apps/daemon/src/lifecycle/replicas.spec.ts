import { randomUUID } from 'node:crypto';
import { startSimulator, type Simulator } from '@exai/provider-sim';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Redis } from 'ioredis';
import { userIdForSubject } from '../auth/user-id-for-subject.js';
import type { Principal } from '../daemon-context.js';
import { startTestDaemon, TEST_STATIC_TOKEN, type TestDaemon } from '../test-support/daemon-harness.js';
import { freePort } from './test-support/daemon-process.js';

const redisUrl = process.env['REDIS_URL'];
const alice: Principal = { userId: userIdForSubject('alice', 'static'), subject: 'alice', method: 'static' };
/** A user budget of 4 calls per 40-second window: no window ends during a test, so counts are exact. */
const tightUserRate = { EXAI_RATE_USER_PER_SECOND: '0.1', EXAI_RATE_USER_BURST: '4' };

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => sim.close());

// CI sets REDIS_URL and fails before the tests when Redis is down, so this never skips there.
const describeWithRedis = redisUrl ? describe : describe.skip;

describeWithRedis(`two replicas sharing Redis (requires REDIS_URL${redisUrl ? '' : ': not set, skipped'})`, () => {
  // A prefix of this run's own: parallel runs on one Redis never see each other's keys.
  const prefix = `exai-test:${randomUUID()}`;
  let replicaA: TestDaemon;
  let replicaB: TestDaemon;
  let redis: Redis;

  beforeAll(async () => {
    const shared = { REDIS_URL: redisUrl as string, EXAI_REDIS_PREFIX: prefix, ...tightUserRate };
    replicaA = await startTestDaemon({ ...shared, EXAI_REPLICA_ID: 'replica-a' }, { sim });
    replicaB = await startTestDaemon({ ...shared, EXAI_REPLICA_ID: 'replica-b' }, { sim });
    redis = new Redis(redisUrl as string, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await Promise.all([replicaA?.close(), replicaB?.close()]);
    if (redis) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  });

  it('spend one user budget: calls alternating between the replicas are refused once it is gone', async () => {
    const replicas = [replicaA, replicaB];
    const answers = [];
    // Two calls on each replica, then a fifth: neither replica alone has seen four.
    for (let call = 0; call < 5; call++) {
      answers.push(await replicas[call % 2]!.daemon.context.limits.admitCall(alice, `10.0.0.${call + 1}`));
    }
    expect(answers.slice(0, 4)).toEqual([undefined, undefined, undefined, undefined]);
    expect(answers[4]).toMatchObject({ limit: 'rate_user', message: expect.stringContaining('alice is over the per-user call rate') });
    expect(answers[4]!.retryAfterMs).toBeGreaterThan(0);
    // The other replica refuses as well, and another user still has a budget of their own.
    expect(await replicaB.daemon.context.limits.admitCall(alice, '10.0.0.9')).toMatchObject({ limit: 'rate_user' });
    const bob: Principal = { userId: userIdForSubject('bob', 'static'), subject: 'bob', method: 'static' };
    expect(await replicaB.daemon.context.limits.admitCall(bob, '10.0.0.10')).toBeUndefined();
    // The budget lives in Redis under this run's prefix.
    expect(await redis.exists(`${prefix}:ratelimit:user:${alice.userId}`)).toBe(1);
    const metrics = await (await fetch(`${replicaB.url}/metrics`)).text();
    expect(metrics).toMatch(/exai_refused_total\{limit="rate_user"\} [1-9]/);
  });

  it("lists every replica's sessions from any replica, and forgets closed ones", async () => {
    const opened = replicaA.daemon.context.sessions.open({ id: `session-${randomUUID()}`, userId: alice.userId, subject: 'alice', transport: 'websocket', ip: '10.1.0.1' });
    // A real session on replica B: a Streamable HTTP client.
    const transport = new StreamableHTTPClientTransport(new URL(`${replicaB.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${TEST_STATIC_TOKEN}` } } });
    const client = new Client({ name: 'replicas-spec', version: '1.0.0' });
    await client.connect(transport);
    const httpSession = transport.sessionId as string;
    try {
      const seenFromB = await replicaB.daemon.context.sessions.listAll();
      expect(seenFromB).toEqual(expect.arrayContaining([expect.objectContaining({ id: opened.id, replicaId: 'replica-a', transport: 'websocket', subject: 'alice' })]));
      const seenFromA = await replicaA.daemon.context.sessions.listAll();
      expect(seenFromA).toEqual(expect.arrayContaining([expect.objectContaining({ id: httpSession, replicaId: 'replica-b', transport: 'http' })]));
      // Each replica's own list holds only its sessions.
      expect(replicaA.daemon.context.sessions.list().map((session) => session.id)).toEqual([opened.id]);
    } finally {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    }
    replicaA.daemon.context.sessions.close(opened.id);
    await waitUntil(async () => {
      const ids = (await replicaA.daemon.context.sessions.listAll()).map((session) => session.id);
      return !ids.includes(opened.id) && !ids.includes(httpSession);
    });
  });
});

describe('Redis cut (REDIS_URL points at a closed port)', () => {
  let deadRedis: string;
  beforeAll(async () => {
    deadRedis = `redis://127.0.0.1:${await freePort()}`;
  });

  it('EXAI_RATE_LIMIT_FAIL_OPEN=true: calls pass on a per-process limit, with a warning', async () => {
    const test = await startTestDaemon({ REDIS_URL: deadRedis, EXAI_RATE_LIMIT_FAIL_OPEN: 'true', EXAI_RATE_USER_PER_SECOND: '0.1', EXAI_RATE_USER_BURST: '2' }, { sim });
    try {
      const limits = test.daemon.context.limits;
      expect(await limits.admitCall(alice, '10.2.0.1')).toBeUndefined();
      expect(await limits.admitCall(alice, '10.2.0.2')).toBeUndefined();
      // The per-process budget still holds.
      expect(await limits.admitCall(alice, '10.2.0.3')).toMatchObject({ limit: 'rate_user' });
      const warning = test.logs.find((line) => line.includes('rate-limit store unavailable: limiting per process'));
      expect(warning).toBeDefined();
      expect(JSON.parse(warning!)).toMatchObject({ level: 40, failOpen: true });
      // The session registry falls back to this replica's sessions.
      test.daemon.context.sessions.open({ id: 'offline-session', userId: alice.userId, subject: 'alice', transport: 'websocket', ip: '10.2.0.1' });
      expect((await test.daemon.context.sessions.listAll()).map((session) => session.id)).toEqual(['offline-session']);
    } finally {
      await test.close();
    }
  });

  it('EXAI_RATE_LIMIT_FAIL_OPEN=false: calls are refused with limit rate_store_unavailable', async () => {
    const test = await startTestDaemon({ REDIS_URL: deadRedis, EXAI_RATE_LIMIT_FAIL_OPEN: 'false' }, { sim });
    try {
      const refusal = await test.daemon.context.limits.admitCall(alice, '10.3.0.1');
      expect(refusal).toMatchObject({ limit: 'rate_store_unavailable', message: expect.stringContaining('EXAI_RATE_LIMIT_FAIL_OPEN is false') });
      expect(refusal!.retryAfterMs).toBeGreaterThan(0);
      expect(test.logs.some((line) => line.includes('rate-limit store unavailable: refusing calls'))).toBe(true);
      const metrics = await (await fetch(`${test.url}/metrics`)).text();
      expect(metrics).toMatch(/exai_refused_total\{limit="rate_store_unavailable"\} 1/);
    } finally {
      await test.close();
    }
  });
});

/** Polls `check` every 20 ms until it holds (fails after 5 s). */
async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
