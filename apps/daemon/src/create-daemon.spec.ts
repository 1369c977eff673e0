import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestDaemon, type TestDaemon } from './test-support/daemon-harness.js';

let test: TestDaemon;

beforeAll(async () => {
  test = await startTestDaemon();
});
afterAll(async () => test?.close());

describe('exai-daemon', () => {
  it('answers /healthz, /readyz and /metrics', async () => {
    const health = await fetch(`${test.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', service: 'exai-daemon' });
    const ready = await fetch(`${test.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', providers: ['glm', 'kimi'], draining: false });
    const metrics = await (await fetch(`${test.url}/metrics`)).text();
    expect(metrics).toContain('exai_tool_calls_total');
    expect(metrics).toContain('exai_storage_journal_backlog 0');
  });

  it('answers unknown paths with a 404 that says what is served', async () => {
    const response = await fetch(`${test.url}/nope`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('/mcp');
  });
});
