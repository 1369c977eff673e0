import { describe, expect, it } from '@jest/globals';
import { ProviderError, ProviderUnavailableError } from '@exai/router/spec';
import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError } from 'openai';
import { mapKimiError } from './map-kimi-error.js';
import { errorFile, fakeKimi, json, sseFile } from './test-support/fake-fetch.js';

const request = { messages: [{ role: 'user' as const, content: 'hi' }] };

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('mapKimiError over real SDK errors (fixtures of provider-wire.md §2.9)', () => {
  const cases: Array<[string, string, number, boolean]> = [
    ['content_filter', 'content_filtered', 400, false],
    ['invalid_request_error', 'invalid_request', 400, false],
    ['input_too_long', 'context_too_long', 400, false],
    ['token_limit', 'context_too_long', 400, false],
    ['invalid_authentication_error', 'authentication', 401, false],
    ['incorrect_api_key_error', 'authentication', 401, false],
    ['permission_denied_error', 'authentication', 403, false],
    ['resource_not_found_error', 'model_not_found', 404, false],
    ['engine_overloaded_error', 'provider_unavailable', 429, true],
    ['exceeded_current_quota_error', 'quota_exhausted', 429, false],
    ['suspended', 'quota_exhausted', 429, false],
    ['rate_limit_reached_error', 'rate_limited', 429, true],
    ['rate_limit_tpm', 'rate_limited', 429, true],
    ['server_error', 'provider_unavailable', 500, true],
    ['unexpected_output', 'provider_unavailable', 500, true],
    ['bad_gateway', 'provider_unavailable', 502, true],
  ];

  it.each(cases)('%s → %s', async (name, code, status, retryable) => {
    const { kimi, calls } = fakeKimi([errorFile(name, { 'x-request-id': 'req-42' })]);
    const error = await failure(kimi.chatModel('kimi-k2-0905-preview').generate(request));
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(retryable);
    expect(error.provider).toBe('kimi');
    expect(error.requestId).toBe('req-42');
    expect(error.vendorCode).toMatch(/_error$|^content_filter$|^unexpected_output$/);
    expect(error.message).toMatch(/Kimi/);
    expect(calls).toHaveLength(1); // no SDK retries (maxRetries: 0)
  });

  it('parses "try again after N seconds" into retryAfterMs', async () => {
    const { kimi } = fakeKimi([errorFile('rate_limit_reached_error')]);
    const error = await failure(kimi.chatModel('kimi-k2-0905-preview').generate(request));
    expect(error.retryAfterMs).toBe(1000);
    expect(error.message).toContain('Retry after 1 s');
  });

  it('falls back to the retry-after header', async () => {
    const { kimi } = fakeKimi([errorFile('rate_limit_tpm', { 'retry-after': '7' })]);
    const error = await failure(kimi.chatModel('kimi-k2-0905-preview').generate(request));
    expect(error.retryAfterMs).toBe(7000);
  });

  it('names the model and the fix in a context error', async () => {
    const { kimi } = fakeKimi([errorFile('token_limit')]);
    const error = await failure(kimi.chatModel('kimi-k2-0905-preview').generate(request));
    expect(error.message).toContain("kimi-k2-0905-preview's context window");
    expect(error.message).toContain('lower maxTokens');
  });

  it('maps an unknown 4xx without a type to InvalidRequestError and an unknown 5xx to ProviderUnavailableError', async () => {
    const { kimi } = fakeKimi([json({ oops: true }, 422), json({}, 503)]);
    const model = kimi.chatModel('kimi-k2-0905-preview');
    expect((await failure(model.generate(request))).code).toBe('invalid_request');
    expect((await failure(model.generate(request))).code).toBe('provider_unavailable');
  });

  it('maps a mid-stream error event by its type, with the chunk id as request id', async () => {
    const { kimi } = fakeKimi([sseFile('stream-mid-error.chunks.txt')]);
    const parts: string[] = [];
    const error = await failure(
      (async () => {
        for await (const part of kimi.chatModel('kimi-k2-turbo-preview').stream(request)) parts.push(part.type);
      })(),
    );
    expect(parts).toEqual(['response-metadata', 'text-delta']);
    expect(error.code).toBe('provider_unavailable');
    expect(error.vendorCode).toBe('engine_overloaded_error');
    expect(error.status).toBeUndefined();
    expect(error.requestId).toBe('cmpl-8805b94c570f447fbde318056073628d');
  });

  it('maps network failures, timeouts and aborts', async () => {
    const failing = fakeKimi([], {
      fetch: () => Promise.reject(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') })),
    });
    const network = await failure(failing.kimi.chatModel('kimi-k2-0905-preview').generate(request));
    expect(network.code).toBe('provider_unavailable');
    expect(network.message).toContain('ECONNREFUSED');

    expect(mapKimiError(new APIConnectionTimeoutError(), { timeoutMs: 50 }).code).toBe('timeout');
    expect(mapKimiError(new APIConnectionTimeoutError(), { timeoutMs: 50 }).message).toContain('50 ms');
    expect(mapKimiError(new APIUserAbortError()).code).toBe('aborted');
    expect(mapKimiError(new APIConnectionError({ message: 'Connection error.' })).code).toBe('provider_unavailable');
    const controller = new AbortController();
    controller.abort();
    expect(mapKimiError(new Error('whatever'), { signal: controller.signal }).code).toBe('aborted');
  });

  it('passes ProviderErrors through and wraps anything else as unavailable', () => {
    const original = new ProviderUnavailableError({ message: 'x', provider: 'kimi' });
    expect(mapKimiError(original)).toBe(original);
    expect(mapKimiError('weird').code).toBe('provider_unavailable');
  });

  it('reports a missing API key before sending anything', async () => {
    const previous = { kimi: process.env['KIMI_API_KEY'], moonshot: process.env['MOONSHOT_API_KEY'] };
    delete process.env['KIMI_API_KEY'];
    delete process.env['MOONSHOT_API_KEY'];
    try {
      const { kimi, calls } = fakeKimi([], { apiKey: undefined });
      const error = await failure(kimi.chatModel('kimi-k2-0905-preview').generate(request));
      expect(error.code).toBe('authentication');
      expect(error.message).toContain('KIMI_API_KEY');
      expect(calls).toHaveLength(0);
    } finally {
      if (previous.kimi !== undefined) process.env['KIMI_API_KEY'] = previous.kimi;
      if (previous.moonshot !== undefined) process.env['MOONSHOT_API_KEY'] = previous.moonshot;
    }
  });
});
