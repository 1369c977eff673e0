import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ProviderError, type ChatRequest, type StreamPart } from '@exai/router/spec';
import { startSimulator, type Simulator } from '@exai/provider-sim';
import { createKimi, type KimiProvider } from './kimi-provider.js';

let sim: Simulator;
let kimi: KimiProvider;

beforeAll(async () => {
  sim = await startSimulator();
  kimi = createKimi({ apiKey: 'sk-sim', baseURL: sim.kimiBaseURL });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const user = (content: string): ChatRequest => ({ messages: [{ role: 'user', content }] });

async function failure(run: () => Promise<unknown>): Promise<ProviderError> {
  try {
    await run();
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

async function drain(parts: AsyncIterable<StreamPart>, seen: string[] = []): Promise<void> {
  for await (const part of parts) seen.push(part.type);
}

describe('Kimi error mapping against the simulator (provider-wire.md §2.9)', () => {
  const cases: Array<[string, string, number, boolean]> = [
    ['content_filter', 'content_filtered', 400, false],
    ['invalid_request_error', 'invalid_request', 400, false],
    ['invalid_authentication_error', 'authentication', 401, false],
    ['incorrect_api_key_error', 'authentication', 401, false],
    ['permission_denied_error', 'authentication', 403, false],
    ['resource_not_found_error', 'model_not_found', 404, false],
    ['engine_overloaded_error', 'provider_unavailable', 429, true],
    ['exceeded_current_quota_error', 'quota_exhausted', 429, false],
    ['rate_limit_reached_error', 'rate_limited', 429, true],
    ['server_error', 'provider_unavailable', 500, true],
    ['unexpected_output', 'provider_unavailable', 500, true],
  ];

  it.each(cases)('%s → %s (generate and stream)', async (type, code, status, retryable) => {
    const model = kimi.chatModel('kimi-k2-0905-preview');
    const generated = await failure(() => model.generate(user(`hi [[sim:error:${type}]]`)));
    expect(generated).toMatchObject({ code, status, vendorCode: type, retryable, provider: 'kimi' });
    const seen: string[] = [];
    const streamed = await failure(() => drain(model.stream(user(`hi [[sim:error:${type}]]`)), seen));
    expect(streamed).toMatchObject({ code, status, vendorCode: type });
    expect(seen).toEqual([]);
    expect(sim.requests).toHaveLength(2); // one request each: the SDK does not retry
  });

  it('rate limit: retryAfterMs from "try again after N seconds"', async () => {
    const error = await failure(() => kimi.chatModel('kimi-k2-0905-preview').generate(user('hi [[sim:error:rate_limit_reached_error]] [[sim:retry-after:3]]')));
    expect(error.retryAfterMs).toBe(3000);
    expect(error.message).toContain('please try again after 3 seconds');
  });

  it('a wrong key is an AuthenticationError naming KIMI_API_KEY', async () => {
    const wrong = createKimi({ apiKey: 'invalid-key', baseURL: sim.kimiBaseURL });
    const error = await failure(() => wrong.chatModel('kimi-k2-0905-preview').generate(user('hi')));
    expect(error).toMatchObject({ code: 'authentication', status: 401, vendorCode: 'invalid_authentication_error' });
    expect(error.message).toContain('KIMI_API_KEY');
    expect((await failure(() => wrong.balance())).code).toBe('authentication');
  });

  it('an unknown model is ModelNotFoundError', async () => {
    const error = await failure(() => kimi.chatModel('kimi-k9-imaginary').generate(user('hi')));
    expect(error).toMatchObject({ code: 'model_not_found', status: 404 });
    expect(error.message).toContain('kimi-k9-imaginary');
  });

  it('prompt plus max_tokens over the context is ContextTooLongError', async () => {
    const error = await failure(() => kimi.chatModel('moonshot-v1-8k').generate({ ...user('hi'), maxTokens: 9000 }));
    expect(error).toMatchObject({ code: 'context_too_long', status: 400, vendorCode: 'invalid_request_error' });
    expect(error.message).toContain('exceeded model token limit');
  });

  it('bare 5xx statuses are ProviderUnavailableError', async () => {
    for (const status of [502, 503, 504]) {
      const error = await failure(() => kimi.chatModel('kimi-k2-0905-preview').generate(user(`hi [[sim:status:${status}]]`)));
      expect(error).toMatchObject({ code: 'provider_unavailable', status, retryable: true });
    }
  });

  it('an error event mid-stream is thrown after the parts already yielded, with the request id', async () => {
    const seen: string[] = [];
    const error = await failure(() => drain(kimi.chatModel('kimi-k2-0905-preview').stream(user('hi [[sim:stream-error]]')), seen));
    expect(seen[0]).toBe('response-metadata');
    expect(seen).not.toContain('finish');
    expect(error).toMatchObject({ code: 'provider_unavailable', vendorCode: 'server_error', status: undefined });
    expect(error.requestId).toMatch(/^cmpl-/);
  });

  it('a connection cut mid-stream is ProviderUnavailableError', async () => {
    const seen: string[] = [];
    const error = await failure(() => drain(kimi.chatModel('kimi-k2-0905-preview').stream(user('hi [[sim:reset-after:2]] [[sim:long:200]]')), seen));
    expect(error.code).toBe('provider_unavailable');
    expect(error.retryable).toBe(true);
    expect(seen).not.toContain('finish');
  });

  it('errors of non-chat calls carry the same mapping (x-sim-fault header)', async () => {
    const headers = { 'x-sim-fault': 'error:engine_overloaded_error' };
    expect(await failure(() => kimi.balance({ headers }))).toMatchObject({ code: 'provider_unavailable', vendorCode: 'engine_overloaded_error' });
    expect(await failure(() => kimi.files.list({ headers: { 'x-sim-fault': 'status:503' } }))).toMatchObject({ code: 'provider_unavailable', status: 503 });
  });

  it('an unreachable endpoint is ProviderUnavailableError', async () => {
    const closed = await startSimulator();
    const url = closed.kimiBaseURL;
    await closed.close();
    const offline = createKimi({ apiKey: 'sk-sim', baseURL: url });
    const error = await failure(() => offline.chatModel('kimi-k2-0905-preview').generate(user('hi')));
    expect(error.code).toBe('provider_unavailable');
    expect(error.message).toContain('Could not reach Kimi');
  });

  it('timeouts of non-chat calls are ProviderTimeoutError', async () => {
    const slow = createKimi({ apiKey: 'sk-sim', baseURL: sim.kimiBaseURL, timeoutMs: 150 });
    const error = await failure(() => slow.listModels({ headers: { 'x-sim-fault': 'hang' } }));
    expect(error.code).toBe('timeout');
    const streamed = await failure(() => drain(slow.chatModel('kimi-k2-0905-preview').stream(user('hi [[sim:hang]]'))));
    expect(streamed.code).toBe('timeout');
  });
});
