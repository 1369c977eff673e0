import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startSimulator, type Simulator } from '@exai/provider-sim';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startStdio, textOf, type StdioSession } from './test-support/stdio-harness.js';

type Structured = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Cross-provider routing end to end: the real exai-stdio, real providers, the simulator failing in
// scripted ways. Faults are scoped to one vendor with FaultRules, so the other vendor answers.
let sim: Simulator;
let session: StdioSession;

const chatCalls = (vendor: 'glm' | 'kimi') => sim.requests.filter((entry) => entry.vendor === vendor && entry.path.endsWith('/chat/completions'));
const routingOf = (result: CallToolResult) => (result.structuredContent as Structured).metadata.routing;
async function chat(args: Record<string, unknown>, streamed = false): Promise<CallToolResult> {
  return (await session.client.callTool({ name: 'chat', arguments: args }, undefined, streamed ? { onprogress: () => undefined } : {})) as CallToolResult;
}

// Each test gets a fresh exai-stdio: breaker, key and retry state must not leak between scenarios.
beforeAll(async () => {
  sim = await startSimulator();
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(async () => {
  sim.reset();
  session = await startStdio({
    GLM_API_KEY: 'sim-glm',
    GLM_BASE_URL: sim.glmBaseURL,
    KIMI_API_KEY: 'sim-kimi',
    KIMI_BASE_URL: sim.kimiBaseURL,
    DEFAULT_MODEL: 'auto',
    LOG_LEVEL: 'warn',
    EXAI_RETRY_INITIAL_DELAY_MS: '5',
    EXAI_RETRY_MAX_DELAY_MS: '20',
    EXAI_ATTEMPT_TIMEOUT_MS: '1000',
    EXAI_PROVIDER_CALL_TIMEOUT_MS: '8000',
    EXAI_TOOL_TIMEOUT_MS: '12000',
  });
});

afterEach(async () => {
  await session?.close();
});

describe('automatic routing through exai-stdio', () => {
  it('sends a plain chat to the cheapest fast model and explains why', async () => {
    const result = await chat({ prompt: 'hello' });
    const output = result.structuredContent as Structured;
    expect(output.metadata.model).toBe('glm-4.5-flash');
    expect(output.metadata.routing.mode).toBe('auto');
    expect(output.metadata.routing.chain[0]).toBe('glm-4.5-flash');
    expect(output.metadata.routing.chain.length).toBeGreaterThan(1);
    expect(output.metadata.routing.reasons.length).toBeGreaterThan(0);
  });

  it('picks a vision model for an image and a model that fits a long prompt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exai-routing-'));
    const image = join(dir, 'pixel.png');
    writeFileSync(image, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64'));
    const vision = await chat({ prompt: 'what is this', images: [image] });
    expect(['glm-4.5v', 'moonshot-v1-8k-vision-preview', 'moonshot-v1-32k-vision-preview', 'moonshot-v1-128k-vision-preview']).toContain(
      (vision.structuredContent as Structured).metadata.model,
    );
    // ~150k tokens: only models with a window above that qualify.
    const big = join(dir, 'big.txt');
    writeFileSync(big, `${'lorem ipsum dolor sit amet '.repeat(36)}\n`.repeat(620));
    const long = await chat({ prompt: 'summarise', files: [big] });
    expect(long.isError).toBeFalsy();
    const model = (long.structuredContent as Structured).metadata.model;
    expect(['glm-4.6', 'kimi-k2-0905-preview', 'kimi-k2-turbo-preview', 'kimi-k2-thinking', 'kimi-k2-thinking-turbo']).toContain(model);
  });

  it('falls back to Kimi when GLM has no balance (1113), without retrying the quota error', async () => {
    sim.addFault({ vendor: 'glm', fault: 'error:1113' });
    const result = await chat({ prompt: 'hello' });
    expect(result.isError).toBeFalsy();
    const routing = routingOf(result);
    expect((result.structuredContent as Structured).metadata.provider).toBe('kimi');
    expect(routing.attempts[0]).toMatchObject({ provider: 'glm', code: 'quota_exhausted' });
    expect(routing.attempts.at(-1)).toMatchObject({ provider: 'kimi', outcome: 'success' });
    expect(chatCalls('glm')).toHaveLength(1);
  });

  it('falls back from an explicit Kimi model to GLM when Kimi is out of balance', async () => {
    sim.setKimiBalance(0);
    const result = await chat({ prompt: 'hello', model: 'kimi-k2-turbo-preview' });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as Structured).metadata.provider).toBe('glm');
    expect(routingOf(result).mode).toBe('explicit');
    expect(routingOf(result).attempts[0]).toMatchObject({ model: 'kimi-k2-turbo-preview', code: 'quota_exhausted' });
  });

  it('retries a 5xx burst, then moves to the other provider', async () => {
    sim.addFault({ vendor: 'glm', fault: 'status:503' });
    const result = await chat({ prompt: 'hello' });
    expect((result.structuredContent as Structured).metadata.provider).toBe('kimi');
    expect(chatCalls('glm').length).toBeGreaterThan(1);
    expect(routingOf(result).attempts.filter((attempt: Structured) => attempt.provider === 'glm').every((attempt: Structured) => attempt.code === 'provider_unavailable')).toBe(true);
  });

  it('retries a 429 whose wait is short, on the same model', async () => {
    sim.addFault({ vendor: 'kimi', fault: 'error:rate_limit_reached_error', times: 1 });
    const result = await chat({ prompt: 'hello [[sim:retry-after:0]]', model: 'kimi-k2-turbo-preview' });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as Structured).metadata.model).toBe('kimi-k2-turbo-preview');
    expect(chatCalls('kimi')).toHaveLength(2);
  });

  it('does not wait out a long 429: it falls back at once', async () => {
    sim.addFault({ vendor: 'kimi', fault: 'error:rate_limit_reached_error' });
    const started = Date.now();
    const result = await chat({ prompt: 'hello [[sim:retry-after:120]]', model: 'kimi-k2-turbo-preview' });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as Structured).metadata.provider).toBe('glm');
    expect(chatCalls('kimi')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('gives up on a hanging provider after the attempt timeout and answers from the other one', async () => {
    sim.addFault({ vendor: 'glm', fault: 'hang' });
    const result = await chat({ prompt: 'hello' });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as Structured).metadata.provider).toBe('kimi');
    expect(routingOf(result).attempts[0]).toMatchObject({ provider: 'glm', code: 'timeout' });
    const hung = await sim.waitFor((entry) => entry.vendor === 'glm' && entry.aborted);
    expect(hung.aborted).toBe(true);
  });

  it('falls back when a stream breaks before its first token', async () => {
    sim.addFault({ vendor: 'glm', fault: 'reset-after:0' });
    const early = await chat({ prompt: 'hello' }, true);
    expect(early.isError).toBeFalsy();
    expect((early.structuredContent as Structured).metadata.provider).toBe('kimi');
  });

  it('reports a stream that breaks after its first token as it is, without falling back', async () => {
    sim.addFault({ vendor: 'glm', fault: 'reset-after:3' });
    const late = await chat({ prompt: 'hello, a long answer please [[sim:long:80]]' }, true);
    expect(late.isError).toBe(true);
    expect(textOf(late)).toContain('[provider_unavailable]');
    expect(chatCalls('kimi')).toHaveLength(0);
  });

  it('moves a content-filtered request to the other provider', async () => {
    sim.addFault({ vendor: 'glm', fault: 'error:1301' });
    const result = await chat({ prompt: 'hello', model: 'glm-4.5-air' });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as Structured).metadata.provider).toBe('kimi');
  });

  it('does not fall back on an invalid request or an authentication failure', async () => {
    sim.addFault({ vendor: 'glm', fault: 'error:1214' });
    const invalid = await chat({ prompt: 'hello', model: 'glm-4.5-flash' });
    expect(invalid.isError).toBe(true);
    expect(textOf(invalid)).toContain('[invalid_request]');
    expect(chatCalls('kimi')).toHaveLength(0);

    sim.reset();
    sim.addFault({ vendor: 'glm', fault: 'error:1002' });
    const auth = await chat({ prompt: 'hello', model: 'glm-4.5-flash' });
    expect(auth.isError).toBe(true);
    expect(textOf(auth)).toContain('[authentication]');
    expect(chatCalls('kimi')).toHaveLength(0);
  });
});
