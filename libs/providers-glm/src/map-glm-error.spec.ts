import { describe, expect, it } from '@jest/globals';
import { APIError } from 'openai';
import {
  AbortedError,
  AuthenticationError,
  ContentFilteredError,
  ContextTooLongError,
  InvalidRequestError,
  ModelNotFoundError,
  ProviderError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  QuotaExhaustedError,
  RateLimitedError,
} from '@exai/router/spec';
import { createGlm } from './glm-provider.js';
import { mapGlmError, retryAfterMs } from './map-glm-error.js';
import { createFixtureFetch, jsonFixture, jsonResponse, type FixtureResponder } from './test-support/fixture-fetch.js';

type ErrorFixture = Record<string, { status: number; body: { error: { code: string; message: string }; request_id?: string } }>;
const errors = jsonFixture<ErrorFixture>('errors.json');

function provider(responder: FixtureResponder, timeoutMs?: number) {
  const { fetch, calls } = createFixtureFetch(responder);
  return { glm: createGlm({ apiKey: 'test-key', baseURL: 'https://glm.test/api/paas/v4', fetch, timeoutMs }), calls };
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!ProviderError.isInstance(error)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

const ask = { messages: [{ role: 'user' as const, content: 'hi' }] };

describe('mapGlmError over real openai SDK errors (every documented code, §1.9)', () => {
  it.each<[string, new (...args: never[]) => ProviderError, RegExp]>([
    ['1000', AuthenticationError, /check GLM_API_KEY/],
    ['1001', AuthenticationError, /set GLM_API_KEY/],
    ['1002', AuthenticationError, /check GLM_API_KEY/],
    ['1003', AuthenticationError, /create a new key/],
    ['1004', AuthenticationError, /GLM API key has expired/],
    ['401', AuthenticationError, /GLM rejected the API key/],
    ['1112', AuthenticationError, /account is locked/],
    ['1121', AuthenticationError, /account is locked/],
    ['1113', QuotaExhaustedError, /^GLM balance is exhausted \(1113\): recharge at z\.ai or use another provider/],
    ['1304', QuotaExhaustedError, /daily call limit/],
    ['1308', QuotaExhaustedError, /Coding Plan quota/],
    ['1310', QuotaExhaustedError, /Coding Plan quota/],
    ['1211', ModelNotFoundError, /does not know this model/],
    ['1210', InvalidRequestError, /rejected a request parameter/],
    ['1213', InvalidRequestError, /rejected a request parameter/],
    ['1214', InvalidRequestError, /at least one user message/],
    ['1261', ContextTooLongError, /shorten the conversation/],
    ['1301', ContentFilteredError, /rephrase the input/],
    ['1302', RateLimitedError, /wait and retry/],
    ['1303', RateLimitedError, /concurrency limit/],
    ['1305', RateLimitedError, /traffic limit/],
    ['1312', ProviderUnavailableError, /overloaded/],
    ['500', ProviderUnavailableError, /retry later/],
  ])('GLM code %s becomes %p with status, vendor code and advice', async (code, errorClass, message) => {
    const fixture = errors[code]!;
    const { glm } = provider(() => jsonResponse(fixture.body, { status: fixture.status }));
    const error = await failureOf(glm.chatModel('glm-4.6').generate(ask));
    expect(error).toBeInstanceOf(errorClass);
    expect(error.provider).toBe('glm');
    expect(error.status).toBe(fixture.status);
    expect(error.vendorCode).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`GLM said: "${fixture.body.error.message}"`);
  });

  it('keeps the top-level request_id of an error body', async () => {
    const { glm } = provider(() => jsonResponse(errors['1113']!.body, { status: 429 }));
    const error = await failureOf(glm.chatModel('glm-4.6').generate(ask));
    expect(error.requestId).toBe('20251030051201a1b2c3d4e5f60718');
    expect(error.retryable).toBe(false);
  });

  it('reads retry-after-ms and retry-after headers of a rate limit', async () => {
    const withMs = provider(() => jsonResponse(errors['1302']!.body, { status: 429, headers: { 'retry-after-ms': '1500' } }));
    expect((await failureOf(withMs.glm.chatModel('glm-4.6').generate(ask))).retryAfterMs).toBe(1500);
    const withSeconds = provider(() => jsonResponse(errors['1303']!.body, { status: 429, headers: { 'retry-after': '3' } }));
    expect((await failureOf(withSeconds.glm.chatModel('glm-4.6').generate(ask))).retryAfterMs).toBe(3000);
    const without = provider(() => jsonResponse(errors['1302']!.body, { status: 429 }));
    expect((await failureOf(without.glm.chatModel('glm-4.6').generate(ask))).retryAfterMs).toBeUndefined();
  });

  it('maps the file-API statuses 434 and 435 to InvalidRequestError', async () => {
    for (const code of ['434', '435']) {
      const { glm } = provider(() => jsonResponse(errors[code]!.body, { status: Number(code) }));
      const error = await failureOf(glm.files.list());
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error.status).toBe(Number(code));
    }
  });

  it('falls back to the HTTP status when the body has no code', async () => {
    const cases: Array<[number, new (...args: never[]) => ProviderError]> = [
      [400, InvalidRequestError],
      [403, AuthenticationError],
      [404, ModelNotFoundError],
      [413, InvalidRequestError],
      [429, RateLimitedError],
      [502, ProviderUnavailableError],
      [503, ProviderUnavailableError],
    ];
    for (const [status, errorClass] of cases) {
      const { glm } = provider(() => new Response('upstream said no', { status }));
      const error = await failureOf(glm.chatModel('glm-4.6').generate(ask));
      expect(error).toBeInstanceOf(errorClass);
      expect(error.status).toBe(status);
      expect(error.vendorCode).toBeUndefined();
    }
    const { glm } = provider(() => jsonResponse({ error: { message: 'Tool choice must be auto' } }, { status: 400 }));
    expect((await failureOf(glm.chatModel('glm-4.6').generate(ask))).message).toContain('Tool choice must be auto');
  });

  it('reports a 404 of the files API as InvalidRequestError, not a missing model', async () => {
    const { glm } = provider(() => jsonResponse({ error: { message: 'file not found' } }, { status: 404 }));
    const error = await failureOf(glm.files.delete('file-1'));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toMatch(/check the file id/);
  });

  it('maps connection failures, client timeouts and caller aborts', async () => {
    const refused = provider(() => Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') })));
    const unreachable = await failureOf(refused.glm.chatModel('glm-4.6').generate(ask));
    expect(unreachable).toBeInstanceOf(ProviderUnavailableError);
    expect(unreachable.message).toMatch(/ECONNREFUSED/);

    const hanging: FixtureResponder = (call) =>
      new Promise((_resolve, reject) => call.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), { once: true }));
    const slow = provider(hanging, 30);
    const timedOut = await failureOf(slow.glm.chatModel('glm-4.6').generate(ask));
    expect(timedOut).toBeInstanceOf(ProviderTimeoutError);
    expect(timedOut.message).toMatch(/within 30 ms/);
    expect(timedOut.retryable).toBe(true);

    const controller = new AbortController();
    controller.abort();
    const aborted = await failureOf(provider(hanging).glm.chatModel('glm-4.6').generate(ask, { signal: controller.signal }));
    expect(aborted).toBeInstanceOf(AbortedError);
  });

  it('maps errors given directly, keeping ProviderErrors and reading numeric codes', () => {
    const existing = new RateLimitedError({ provider: 'glm', message: 'x' });
    expect(mapGlmError(existing)).toBe(existing);
    const numeric = mapGlmError(new APIError(429, { code: 1113, message: 'Insufficient balance' }, undefined, new Headers()), { operation: 'web_search' });
    expect(numeric).toBeInstanceOf(QuotaExhaustedError);
    expect(numeric.vendorCode).toBe('1113');
    const midStream = mapGlmError(new APIError(undefined, { message: 'boom' }, undefined, undefined), { requestId: 'req-1' });
    expect(midStream).toBeInstanceOf(ProviderUnavailableError);
    expect(midStream.requestId).toBe('req-1');
    expect(mapGlmError(new SyntaxError('bad json'))).toBeInstanceOf(ProviderUnavailableError);
    expect(mapGlmError('weird')).toBeInstanceOf(ProviderUnavailableError);
  });

  it('parses retry-after as an HTTP date', () => {
    const inTwoSeconds = new Date(Date.now() + 2000).toUTCString();
    const value = retryAfterMs(new Headers({ 'retry-after': inTwoSeconds }));
    expect(value).toBeGreaterThan(0);
    expect(value).toBeLessThanOrEqual(2000);
  });
});
