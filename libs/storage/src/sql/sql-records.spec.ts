import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DEFAULT_STORAGE_QUOTA_BYTES, type TokenUsage } from '../storage-records.js';
import { InvalidStorageInputError } from '../storage-errors.js';
import { sqlEngines, type SqlTestEngine } from '../test-support/sql-test-engines.js';
import { SqlHealth } from './sql-health.js';
import { SqlScope } from './sql-scope.js';

const usage = (input: number, output: number): TokenUsage => ({ inputTokens: input, cachedInputTokens: 0, outputTokens: output, reasoningTokens: 0, totalTokens: input + output });

describe.each(sqlEngines)('records, quotas and metrics on $name', ({ name, enabled, open }) => {
  const run = enabled ? it : it.skip;
  let engine: SqlTestEngine;

  beforeAll(async () => {
    if (enabled) engine = await open();
  });
  afterAll(async () => {
    await engine?.close();
  });

  run('sums usage per UTC day with since inclusive and until exclusive, per user only', async () => {
    const user = engine.storage.forUser(randomUUID());
    const other = engine.storage.forUser(randomUUID());
    const at = (iso: string) => new Date(iso);
    await user.usage.append({ provider: 'glm', model: 'm', usage: usage(1, 1), costUsd: 0.5, createdAt: at('2026-03-01T00:00:00Z') });
    await user.usage.append({ provider: 'glm', model: 'm', usage: usage(2, 2), costUsd: 0.25, createdAt: at('2026-03-01T23:59:59.999Z') });
    await user.usage.append({ provider: 'glm', model: 'm', usage: usage(4, 4), costUsd: 1, createdAt: at('2026-03-02T00:00:00Z') });
    await other.usage.append({ provider: 'glm', model: 'm', usage: usage(100, 100), costUsd: 9, createdAt: at('2026-03-01T12:00:00Z') });
    expect(await user.usage.totalsByDay({ since: at('2026-03-01T00:00:00Z'), until: at('2026-03-02T00:00:00Z') })).toEqual([
      { day: '2026-03-01', calls: 2, inputTokens: 3, outputTokens: 3, totalTokens: 6, costUsd: 0.75 },
    ]);
    expect((await user.usage.totalsByDay({ since: at('2026-03-01T00:00:00.001Z') })).map((total) => [total.day, total.calls])).toEqual([
      ['2026-03-02', 1],
      ['2026-03-01', 1],
    ]);
    const listed = await user.usage.list({ since: at('2026-03-02T00:00:00Z') });
    expect(listed).toEqual([expect.objectContaining({ usage: usage(4, 4), costUsd: 1, webSearchCalls: 0 })]);
  });

  run('filters tool calls, newest first, within the limit', async () => {
    const user = engine.storage.forUser(randomUUID());
    const base = Date.now() - 60_000;
    const ids: string[] = [];
    for (let index = 0; index < 6; index++) {
      ids.push(await user.toolCalls.start({ tool: index % 2 ? 'debug' : 'chat', startedAt: new Date(base + index * 1_000) }));
    }
    await user.toolCalls.finish(ids[4]!, { status: 'timeout', durationMs: 30_000.4 });
    await user.toolCalls.finish(ids[0]!, { status: 'cancelled' });
    expect((await user.toolCalls.list({ tool: 'chat' })).map((call) => call.id)).toEqual([ids[4], ids[2], ids[0]]);
    expect((await user.toolCalls.list({ tool: 'chat', status: 'running' })).map((call) => call.id)).toEqual([ids[2]]);
    expect((await user.toolCalls.list({ since: new Date(base + 3_000) })).map((call) => call.id)).toEqual([ids[5], ids[4], ids[3]]);
    expect((await user.toolCalls.list({ limit: 2 })).map((call) => call.id)).toEqual([ids[5], ids[4]]);
    expect((await user.toolCalls.list({ status: 'timeout' }))[0]).toMatchObject({ durationMs: 30_000, finishedAt: expect.any(Date) });
    await expect(user.toolCalls.list({ limit: 0 })).rejects.toBeInstanceOf(InvalidStorageInputError);
    // A replayed start with the same id keeps the first.
    expect(await user.toolCalls.start({ id: ids[0]!, tool: 'other' })).toBe(ids[0]);
    expect((await user.toolCalls.list({ tool: 'other' })).length).toBe(0);
    await expect(user.toolCalls.start({ id: 'not-a-uuid', tool: 'chat' })).rejects.toMatchObject({ field: 'id' });
  });

  run('routing decisions are idempotent by id and refuse a malformed tool call id', async () => {
    const user = engine.storage.forUser(randomUUID());
    const id = randomUUID();
    await user.routingDecisions.append({ id, mode: 'auto', chosenModel: 'a', estimatedCostUsd: 0.125 });
    await user.routingDecisions.append({ id, mode: 'auto', chosenModel: 'b' });
    expect(await user.routingDecisions.list()).toEqual([expect.objectContaining({ id, chosenModel: 'a', estimatedCostUsd: 0.125, rejected: [] })]);
    await expect(user.routingDecisions.append({ mode: 'auto', chosenModel: 'a', toolCallId: 'x' })).rejects.toMatchObject({ field: 'toolCallId' });
  });

  run('sessions: seen never goes back in time, closed ones drop out of the open list', async () => {
    const user = engine.storage.forUser(randomUUID());
    await user.sessions.open({ id: `a-${randomUUID()}`, transport: 'stdio' });
    const b = `b-${randomUUID()}`;
    await user.sessions.open({ id: b, transport: 'http' });
    const later = new Date(Date.now() + 60_000);
    await user.sessions.seen(b, later);
    await user.sessions.seen(b, new Date(0));
    const [first] = await user.sessions.list();
    expect(first).toMatchObject({ id: b, lastSeenAt: later });
    await user.sessions.close(b);
    expect((await user.sessions.list({ open: false })).map((session) => session.id)).toEqual([b]);
    expect((await user.sessions.list({ open: true })).length).toBe(1);
  });

  run('service quotas: defaults, partial updates, budgets cleared with null', async () => {
    const userId = randomUUID();
    expect(await engine.storage.service.getQuota(userId)).toEqual({
      userId,
      storageQuotaBytes: DEFAULT_STORAGE_QUOTA_BYTES,
      storageUsedBytes: 0,
      monthlyTokenBudget: undefined,
      monthlyCostBudgetUsd: undefined,
    });
    await engine.storage.service.setQuota(userId, { monthlyTokenBudget: 1_000_000, monthlyCostBudgetUsd: 12.5 });
    expect(await engine.storage.service.setQuota(userId, { storageQuotaBytes: 2048 })).toMatchObject({
      storageQuotaBytes: 2048,
      monthlyTokenBudget: 1_000_000,
      monthlyCostBudgetUsd: 12.5,
    });
    expect(await engine.storage.service.setQuota(userId, { monthlyTokenBudget: null })).toMatchObject({ storageQuotaBytes: 2048, monthlyTokenBudget: undefined, monthlyCostBudgetUsd: 12.5 });
    expect(await engine.storage.forUser(userId).quota.get()).toMatchObject({ storageQuotaBytes: 2048 });
    await expect(engine.storage.service.setQuota('nobody', {})).rejects.toMatchObject({ field: 'userId' });
    await expect(engine.storage.service.setQuota(userId, { storageQuotaBytes: -1 })).rejects.toMatchObject({ field: 'storageQuotaBytes' });
  });

  run('metrics: one batch, newest first, filtered by time; refuses a non-finite value', async () => {
    const metric = `m_${randomUUID().slice(0, 8)}`;
    const old = new Date(Date.now() - 3_600_000);
    await engine.storage.service.recordMetrics([
      { name: metric, value: 1.5, recordedAt: old },
      { name: metric, value: 2.5, labels: { replica: 'r1' } },
    ]);
    expect((await engine.storage.service.listMetrics({ name: metric })).map((sample) => sample.value)).toEqual([2.5, 1.5]);
    expect(await engine.storage.service.listMetrics({ name: metric, since: new Date(old.getTime() + 1) })).toEqual([
      expect.objectContaining({ value: 2.5, labels: { replica: 'r1' } }),
    ]);
    await engine.storage.service.recordMetrics([]);
    await expect(engine.storage.service.recordMetrics([{ name: metric, value: Number.NaN }])).rejects.toMatchObject({ field: 'value' });
  });

  run('audit: a user always records their own id; the service may name a user or none', async () => {
    const userId = randomUUID();
    const user = engine.storage.forUser(userId);
    const action = `act-${randomUUID()}`;
    await user.audit.append({ action, outcome: 'success', userId: randomUUID() });
    expect((await user.audit.list({ action }))[0]?.userId).toBe(userId);
    await expect(engine.storage.service.audit.append({ action, outcome: 'failure', userId: 'not-a-uuid' })).rejects.toMatchObject({ field: 'userId' });
    expect(await engine.storage.service.purgeAudit(new Date(0))).toBe(0);
  });

  run('runs user calls as authenticated with the user’s claims, and service calls as service_role', async () => {
    const health = new SqlHealth();
    const userId = randomUUID();
    const user = new SqlScope({ client: engine.client, health, userId, statementTimeoutMs: 1_500 });
    expect(await user.query(`select current_user as role, auth.uid() as uid, auth.role() as claim, current_setting('statement_timeout') as timeout`)).toEqual([
      { role: 'authenticated', uid: userId, claim: 'authenticated', timeout: '1500ms' },
    ]);
    const service = new SqlScope({ client: engine.client, health });
    expect(await service.query('select current_user as role, auth.uid() as uid')).toEqual([{ role: 'service_role', uid: null }]);
    // Transaction-local: the connection is back to its own role afterwards.
    expect((await engine.client.query<{ role: string }>('select current_user as role'))[0]?.role).not.toMatch(/authenticated|service_role/);
    expect(() => new SqlScope({ client: engine.client, health, userId: "x'; drop table t; --" })).toThrow(InvalidStorageInputError);
  });

  run(`reports its status (${name})`, () => {
    expect(engine.storage.status()).toMatchObject({ kind: name, state: 'up', journalBacklog: 0, journalReplayed: 0, lastError: undefined });
  });
});
