import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Principal } from '../daemon-context.js';
import { startTestDaemon, type TestDaemon } from '../test-support/daemon-harness.js';

let test: TestDaemon;
let client: Client;
const principal: Principal = { userId: '6f1c1d3e-1d0a-4c55-9a43-0d2b8f0f0a11', subject: 'alice', method: 'static' };

beforeAll(async () => {
  test = await startTestDaemon({ EXAI_REPLICA_ID: 'metrics-replica' });
  const server = test.daemon.context.createMcpServer(principal, { sessionId: 'metrics-session', transport: 'http' });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  client = new Client({ name: 'metrics-test', version: '1.0.0' });
  await client.connect(clientTransport);
});
afterAll(async () => {
  await client?.close();
  await test?.close();
});

async function scrape(): Promise<string> {
  const response = await fetch(`${test.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** The value of the sample `name{labels}` (labels in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const match = /^[^{\s]+(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) continue;
    const found = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((entry) => [entry[1], entry[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[2]);
  }
  return undefined;
}

describe('/metrics', () => {
  it('counts a chat call: tool calls and latency by tool and status, provider latency, tokens and cost by provider and model', async () => {
    const result = (await client.callTool({ name: 'chat', arguments: { prompt: 'count me', model: 'glm-4.5' } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const metadata = (result.structuredContent as { metadata: { cost_usd: number; tokens: { input: number; output: number } } }).metadata;
    const text = await scrape();

    expect(sample(text, 'exai_tool_calls_total', { tool: 'chat', status: 'success' })).toBe(1);
    expect(sample(text, 'exai_tool_call_duration_seconds_count', { tool: 'chat' })).toBe(1);
    expect(sample(text, 'exai_tool_call_duration_seconds_bucket', { tool: 'chat', le: '+Inf' })).toBe(1);
    expect(sample(text, 'exai_provider_calls_total', { provider: 'glm', model: 'glm-4.5', outcome: 'success' })).toBe(1);
    expect(sample(text, 'exai_provider_call_duration_seconds_count', { provider: 'glm', model: 'glm-4.5' })).toBe(1);
    expect(sample(text, 'exai_provider_attempt_duration_seconds_count', { provider: 'glm', model: 'glm-4.5', outcome: 'success' })).toBe(1);
    expect(sample(text, 'exai_tokens_total', { provider: 'glm', model: 'glm-4.5', kind: 'input' })).toBe(metadata.tokens.input);
    expect(sample(text, 'exai_tokens_total', { provider: 'glm', model: 'glm-4.5', kind: 'output' })).toBe(metadata.tokens.output);
    expect(metadata.tokens.input).toBeGreaterThan(0);
    expect(sample(text, 'exai_cost_usd_total', { provider: 'glm', model: 'glm-4.5' })).toBeCloseTo(metadata.cost_usd, 12);
    expect(metadata.cost_usd).toBeGreaterThan(0);
    expect(sample(text, 'exai_tool_calls_in_flight')).toBe(0);
  });

  it('counts failures: tool errors by code, provider errors by code, retries, breaker transitions', async () => {
    const failed = (await client.callTool({ name: 'chat', arguments: { prompt: 'no such model', model: 'no-such-model' } })) as CallToolResult;
    expect(failed.isError).toBe(true);
    // One 500 from the vendor, then success: a retry on the same model.
    test.sim.addFault({ model: 'glm-4.5-x', times: 1, fault: 'status:500' });
    const retried = (await client.callTool({ name: 'chat', arguments: { prompt: 'retry me', model: 'glm-4.5-x' } })) as CallToolResult;
    expect(retried.isError).toBeFalsy();
    const fault = (await client.callTool({ name: 'chat', arguments: { prompt: 'fail [[sim:error:1113]]', model: 'glm-4.5-air' } })) as CallToolResult;
    expect(fault.isError).toBe(true);
    const text = await scrape();
    expect(sample(text, 'exai_tool_calls_total', { tool: 'chat', status: 'error' })).toBe(2);
    expect(sample(text, 'exai_tool_errors_total', { tool: 'chat', code: 'unknown_model' })).toBe(1);
    const retries = text.split('\n').filter((line) => line.startsWith('exai_retries_total{') && line.includes('model="glm-4.5-x"'));
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatch(/ 1$/);
    expect(sample(text, 'exai_provider_attempt_duration_seconds_count', { provider: 'glm', model: 'glm-4.5-x', outcome: 'error' })).toBe(1);
    expect(sample(text, 'exai_provider_attempt_duration_seconds_count', { provider: 'glm', model: 'glm-4.5-x', outcome: 'success' })).toBe(1);
    // GLM 1113 is "out of balance": the key is isolated, the call fails (explicit model, no fallback).
    const providerErrors = text.split('\n').filter((line) => line.startsWith('exai_provider_errors_total{') && line.includes('model="glm-4.5-air"'));
    expect(providerErrors.length).toBeGreaterThan(0);
    expect(sample(text, 'exai_breaker_transitions_total', { kind: 'key', name: 'glm#1', state: 'isolated' })).toBe(1);
    expect(sample(text, 'exai_breaker_state', { kind: 'key', name: 'glm#1' })).toBe(3);
  });

  it('shows a running call in the in-flight gauges', async () => {
    const running = client.callTool({ name: 'chat', arguments: { prompt: 'slow one [[sim:latency:700]]', model: 'kimi-k2-turbo-preview' } }) as Promise<CallToolResult>;
    await test.sim.waitFor((request) => JSON.stringify(request.body).includes('slow one'));
    const text = await scrape();
    expect(sample(text, 'exai_tool_calls_in_flight')).toBe(1);
    expect(sample(text, 'exai_work_in_flight')).toBe(1);
    expect(sample(text, 'exai_calls_in_flight', { scope: 'global', name: 'global' })).toBe(1);
    expect(sample(text, 'exai_calls_in_flight', { scope: 'provider', name: 'kimi' })).toBe(1);
    expect(sample(text, 'exai_calls_in_flight', { scope: 'session', name: 'all' })).toBe(1);
    expect(sample(text, 'exai_sessions', { transport: 'http' })).toBeDefined();
    expect((await running).isError).toBeFalsy();
    expect(sample(await scrape(), 'exai_tool_calls_in_flight')).toBe(0);
  });

  it('exposes breaker states, in-flight and queue depth, sessions by transport, storage backlog, build info and draining', async () => {
    const text = await scrape();
    expect(sample(text, 'exai_breaker_state', { kind: 'key', name: 'kimi#1' })).toBe(0);
    expect(sample(text, 'exai_breaker_state', { kind: 'model', name: 'kimi-k2-0905-preview' })).toBe(0);
    expect(sample(text, 'exai_calls_in_flight', { scope: 'global', name: 'global' })).toBe(0);
    expect(sample(text, 'exai_calls_queued', { scope: 'global', name: 'global' })).toBe(0);
    expect(sample(text, 'exai_calls_in_flight', { scope: 'provider', name: 'glm' })).toBe(0);
    expect(sample(text, 'exai_calls_in_flight', { scope: 'session', name: 'all' })).toBe(0);
    expect(sample(text, 'exai_calls_queued', { scope: 'session', name: 'all' })).toBe(0);
    expect(sample(text, 'exai_sessions', { transport: 'websocket' })).toBe(0);
    expect(sample(text, 'exai_sessions', { transport: 'http' })).toBeDefined();
    expect(sample(text, 'exai_storage_journal_backlog')).toBe(0);
    expect(sample(text, 'exai_storage_up')).toBe(1);
    expect(sample(text, 'exai_work_in_flight')).toBe(0);
    expect(sample(text, 'exai_build_info', { replica: 'metrics-replica', version: test.daemon.context.version })).toBe(1);
    expect(sample(text, 'exai_draining')).toBe(0);
    expect(sample(text, 'exai_uptime_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'exai_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('labels authentication alike on every face: refusals by credential presented and code', async () => {
    const bad = { authorization: 'Bearer not-a-valid-token-at-all' };
    expect((await fetch(`${test.url}/api/dashboard`, { headers: bad })).status).toBe(401);
    expect((await fetch(`${test.url}/v1/models`, { headers: bad })).status).toBe(401);
    expect((await fetch(`${test.url}/v1/models`)).status).toBe(401);
    const text = await scrape();
    expect(sample(text, 'exai_auth_total', { method: 'token', outcome: 'failure', code: 'invalid_token' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'exai_auth_total', { method: 'none', outcome: 'failure', code: 'missing_token' })).toBeGreaterThanOrEqual(1);
    // No face counts a refusal under another outcome (the dashboard once used the code as the outcome).
    expect(text).not.toMatch(/exai_auth_total\{[^}]*outcome="(?!success|failure)/);
  });
});
