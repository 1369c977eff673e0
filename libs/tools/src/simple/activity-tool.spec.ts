import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { QuotaExhaustedError } from '@exai/router/spec';
import { FakeRouter } from '../test-support/fake-router.js';
import { connectClient, fakeServerOptions, textOf } from '../test-support/tool-harness.js';
import type { ActivityOutput } from './activity-tool.js';
import { SECRET_KEY } from './test-support/troubled-router.js';

async function busyServer() {
  const router = new FakeRouter();
  const options = fakeServerOptions({ router });
  const connection = await connectClient(options);
  await connection.call('chat', { prompt: 'one' });
  await connection.call('chat', { prompt: 'two' });
  router.failWith = new QuotaExhaustedError({ provider: 'glm', message: `Balance used up for key ${SECRET_KEY}` });
  await connection.call('chat', { prompt: 'three' });
  await connection.call('version');
  return { ...connection, options };
}

describe('activity', () => {
  it('lists recent calls newest first with usage totals, as a table and structured', async () => {
    const { call, close } = await busyServer();
    const result = await call('activity', { since: '1h' });
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as ActivityOutput;
    const finished = output.calls.filter((entry) => entry.tool !== 'activity');
    expect(finished.map((entry) => [entry.tool, entry.status])).toEqual([
      ['version', 'success'],
      ['chat', 'error'],
      ['chat', 'success'],
      ['chat', 'success'],
    ]);
    expect(finished[2]).toMatchObject({ model: 'fake/fake-model', continuation_id: expect.any(String) });
    expect(finished[1]?.error).toContain('Balance used up');
    expect(output.usage).toMatchObject({ calls: 2, input_tokens: 20, output_tokens: 10 });
    expect(output.usage.cost_usd).toBeCloseTo(2 * (10 + 10) / 1e6);
    expect(output.usage.by_day).toEqual([{ day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), calls: 2, tokens: 30, cost_usd: output.usage.cost_usd }]);
    const text = textOf(result);
    expect(text).toContain('| started | tool | status | ms | model | continuation_id | error |');
    expect(text).toMatch(/\| chat \| error \|/);
    expect(text).toContain('Model usage since');
    expect(JSON.stringify(result)).not.toContain(SECRET_KEY);
    await close();
  });

  it('filters by tool (as clients spell it), status, time and limit', async () => {
    const { call, close, options } = await busyServer();
    await options.storage.toolCalls.start({ id: randomUUID(), tool: 'chat', startedAt: new Date(Date.now() - 3 * 86_400_000) });
    const calls = async (args: Record<string, unknown>) => ((await call('activity', args)).structuredContent as ActivityOutput).calls;
    expect((await calls({ tool: 'chat_EXAI-WS' })).map((entry) => entry.tool)).toEqual(['chat', 'chat', 'chat', 'chat']);
    expect((await calls({ tool: 'chat', since: '2d' })).length).toBe(3);
    expect((await calls({ status: 'error' })).map((entry) => entry.status)).toEqual(['error']);
    expect(await calls({ tool: 'chat', limit: 1 })).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await calls({ tool: 'chat', since: new Date(Date.now() - 1).toISOString() })).toEqual([]);
    const empty = await call('activity', { tool: 'thinkdeep' });
    expect(textOf(empty)).toMatch(/^No tool calls since .* match\./);
    await close();
  });

  it('refuses a bad time, status or limit with a clear error', async () => {
    const { call, close } = await connectClient(fakeServerOptions());
    const badSince = await call('activity', { since: 'yesterday' });
    expect(badSince.isError).toBe(true);
    expect(textOf(badSince)).toBe('since "yesterday" is neither an ISO time (2026-01-31T09:00:00Z) nor a span like 30m, 1h, 2d or 1w [invalid_argument]');
    const future = await call('activity', { since: '2999-01-01' });
    expect(textOf(future)).toContain('is in the future');
    for (const args of [{ limit: 101 }, { limit: 0 }, { status: 'failed' }]) {
      const result = await call('activity', args);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/Input validation error.*(limit|status)/s);
    }
    await close();
  });

  it("shows only the caller's calls and usage", async () => {
    const { close, options } = await busyServer();
    const other = await connectClient({ ...options, storage: options.storageRoot.forUser(randomUUID()) });
    const output = (await other.call('activity')).structuredContent as ActivityOutput;
    expect(output.calls.filter((entry) => entry.tool !== 'activity')).toEqual([]);
    expect(output.usage.calls).toBe(0);
    await Promise.all([close(), other.close()]);
  });
});
