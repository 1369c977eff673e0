import { describe, expect, it } from '@jest/globals';
import { AuthenticationError } from '@exai/router/spec';
import type { UserStorage } from '@exai/storage';
import { FakeRouter } from '../test-support/fake-router.js';
import { connectClient, fakeServerOptions, textOf } from '../test-support/tool-harness.js';
import type { StatusOutput } from './status-tool.js';
import { glmAndKimi, SECRET_KEY, TroubledRouter } from './test-support/troubled-router.js';

describe('status', () => {
  it('reports a healthy idle server', async () => {
    const { call, close } = await connectClient(fakeServerOptions({ tools: { profile: 'lean' } }));
    const result = await call('status');
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as StatusOutput;
    expect(output).toMatchObject({
      healthy: true,
      problems: [],
      configured_providers: ['fake'],
      keys: [],
      model_breakers: [],
      bulkheads: [],
      recent_errors: [],
      storage: { kind: 'memory', state: 'up', journal_backlog: 0, journal_replayed: 0 },
    });
    expect(textOf(result)).toMatch(/^Healthy\./);
    await close();
  });

  it('says when no provider is configured', async () => {
    const { call, close } = await connectClient(fakeServerOptions({ providers: [{ provider: 'glm', configured: false, baseUrl: 'https://api.z.ai/api/paas/v4' }] }));
    const output = (await call('status')).structuredContent as StatusOutput;
    expect(output).toMatchObject({ healthy: false, configured_providers: [], problems: ['no provider is configured: set GLM_API_KEY or KIMI_API_KEY'] });
    await close();
  });

  it('shows key and model breakers by label, bulkheads, and hides other sessions', async () => {
    const { call, close } = await connectClient(fakeServerOptions({ router: new TroubledRouter(), providers: glmAndKimi, session: 'session-mine' }));
    const result = await call('status');
    const output = result.structuredContent as StatusOutput;
    expect(output.healthy).toBe(false);
    expect(output.configured_providers).toEqual(['glm', 'kimi']);
    expect(output.keys).toEqual([
      { label: 'glm#1', state: 'open', in_flight: 0, note: 'retry in 12 s' },
      { label: 'glm#2', state: 'isolated', in_flight: 0, note: 'out of rotation: quota_exhausted' },
      { label: 'kimi#1', state: 'closed', in_flight: 2 },
    ]);
    expect(output.model_breakers).toEqual([{ model: 'glm-4.6', state: 'open', retry_after_ms: 30_000 }]);
    expect(output.bulkheads.map((bulkhead) => [bulkhead.scope, bulkhead.name, bulkhead.in_flight, bulkhead.queued])).toEqual([
      ['global', 'global', 3, 0],
      ['provider', 'kimi', 2, 1],
      ['session', 'this session', 1, 0],
      ['session', 'other sessions (1)', 2, 0],
    ]);
    expect(output.problems).toEqual(
      expect.arrayContaining(['every glm key is out of rotation', 'model glm-4.6: breaker open (retry in 30 s)', 'provider kimi: 1 call queued']),
    );
    const text = textOf(result);
    expect(text).toContain('glm#1 open (retry in 12 s), 0 in flight');
    expect(text).toContain('- global: 3 / 0 (24, queue 100)');
    expect(text).toContain('glm#2 isolated (out of rotation: quota_exhausted)');
    expect(JSON.stringify(result)).not.toContain('session-of-someone-else');
    expect(JSON.stringify(result)).not.toContain('session-mine');
    await close();
  });

  it("lists the caller's recent failures without the key they may quote, and only the caller's", async () => {
    const router = new FakeRouter();
    const options = fakeServerOptions({ router, vendors: { glm: [{ apiKey: SECRET_KEY }] } });
    const mine = await connectClient(options);
    router.failWith = new AuthenticationError({ provider: 'glm', status: 401, message: `GLM refused the key: Authorization: Bearer ${SECRET_KEY}` });
    expect((await mine.call('chat', { prompt: 'hi' })).isError).toBe(true);
    const result = await mine.call('status');
    const output = result.structuredContent as StatusOutput;
    expect(output.recent_errors).toHaveLength(1);
    expect(output.recent_errors[0]).toMatchObject({ tool: 'chat', code: 'authentication' });
    expect(output.recent_errors[0]?.message).toBe('GLM refused the key: Authorization: Bearer [redacted]');
    expect(JSON.stringify(result)).not.toContain(SECRET_KEY);
    expect(textOf(result)).toContain('chat [authentication]: GLM refused the key');

    const other = await connectClient({ ...options, storage: options.storageRoot.forUser('11111111-2222-4333-8444-555555555555') });
    expect(((await other.call('status')).structuredContent as StatusOutput).recent_errors).toEqual([]);
    await Promise.all([mine.close(), other.close()]);
  });

  it('reports a degraded storage with its backlog, credentials redacted', async () => {
    const options = fakeServerOptions({
      storageStatus: () => ({
        kind: 'postgres',
        state: 'degraded',
        journalBacklog: 7,
        journalReplayed: 3,
        location: 'db.internal',
        lastError: 'connect ECONNREFUSED postgres://exai:hunter2@db.internal:5432/exai',
      }),
    });
    const { call, close } = await connectClient(options);
    const output = (await call('status')).structuredContent as StatusOutput;
    expect(output.storage).toEqual({ kind: 'postgres', state: 'degraded', journal_backlog: 7, journal_replayed: 3, last_error: 'connect ECONNREFUSED postgres://[redacted]@db.internal:5432/exai' });
    expect(output.problems).toContain('storage degraded, 7 writes waiting in the journal');
    await close();
  });

  it('still answers when storage cannot be read', async () => {
    const options = fakeServerOptions();
    const failing: UserStorage = {
      ...options.storage,
      toolCalls: { ...options.storage.toolCalls, list: () => Promise.reject(new Error('database is down')) },
    };
    const { call, close } = await connectClient({ ...options, storage: failing });
    const result = await call('status');
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as StatusOutput).problems).toEqual(['recent errors could not be read from storage: database is down']);
    await close();
  });
});
