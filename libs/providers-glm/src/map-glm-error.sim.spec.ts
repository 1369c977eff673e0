import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { glmErrorCodes, startSimulator, type Simulator } from '@exai/provider-sim';
import {
  AuthenticationError,
  ContentFilteredError,
  ContextTooLongError,
  InvalidRequestError,
  ModelNotFoundError,
  ProviderError,
  ProviderUnavailableError,
  QuotaExhaustedError,
  RateLimitedError,
  type ChatRequest,
  type StreamPart,
} from '@exai/router/spec';
import { createGlm, type GlmProvider } from './glm-provider.js';

// Every mapped GLM error, produced by the simulator over HTTP and read by the real openai SDK.

let sim: Simulator;
let glm: GlmProvider;
const ask = (text: string): ChatRequest => ({ messages: [{ role: 'user', content: text }] });

beforeAll(async () => {
  sim = await startSimulator();
  glm = createGlm({ apiKey: 'sim-key', baseURL: sim.glmBaseURL });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

async function failureOf(run: () => Promise<unknown>): Promise<ProviderError> {
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!ProviderError.isInstance(error)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

async function drain(parts: AsyncIterable<StreamPart>, into: StreamPart[] = []): Promise<StreamPart[]> {
  for await (const part of parts) into.push(part);
  return into;
}

type ErrorClass = new (...args: never[]) => ProviderError;

/** exai's class for each GLM code (provider-wire.md §1.9). */
const expected: Record<string, [ErrorClass, number]> = {
  '500': [ProviderUnavailableError, 500],
  '1000': [AuthenticationError, 401],
  '1001': [AuthenticationError, 401],
  '1002': [AuthenticationError, 401],
  '1003': [AuthenticationError, 401],
  '1004': [AuthenticationError, 401],
  '1112': [AuthenticationError, 429],
  '1113': [QuotaExhaustedError, 429],
  '1121': [AuthenticationError, 429],
  '1210': [InvalidRequestError, 400],
  '1211': [ModelNotFoundError, 400],
  '1213': [InvalidRequestError, 400],
  '1214': [InvalidRequestError, 400],
  '1261': [ContextTooLongError, 400],
  '1301': [ContentFilteredError, 400],
  '1302': [RateLimitedError, 429],
  '1303': [RateLimitedError, 429],
  '1304': [QuotaExhaustedError, 429],
  '1305': [RateLimitedError, 429],
  '1308': [QuotaExhaustedError, 429],
  '1310': [QuotaExhaustedError, 429],
  '1312': [ProviderUnavailableError, 429],
};

describe('GLM errors from the simulator', () => {
  it('covers every code the simulator can produce', () => {
    expect([...glmErrorCodes].sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('code %s is mapped on generate and before the first stream part', async (code, [errorClass, status]) => {
    const prompt = `fail please [[sim:error:${code}]]`;
    const error = await failureOf(() => glm.chatModel('glm-4.6').generate(ask(prompt)));
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ provider: 'glm', status, vendorCode: code });
    expect(error.message).toMatch(/GLM said: "/);
    const parts: StreamPart[] = [];
    const streamed = await failureOf(() => drain(glm.chatModel('glm-4.6').stream(ask(prompt)), parts));
    expect(streamed).toBeInstanceOf(errorClass);
    expect(parts).toEqual([]);
    expect(sim.requests.map((request) => (request.body as { messages: Array<{ content: string }> }).messages[0]!.content)).toEqual([prompt, prompt]);
  });

  it('says what to do about an empty balance', async () => {
    const error = await failureOf(() => glm.chatModel('glm-4.6').generate(ask('[[sim:error:1113]]')));
    expect(error.message).toMatch(/^GLM balance is exhausted \(1113\): recharge at z\.ai or use another provider\./);
    expect(error.retryable).toBe(false);
  });

  it('maps real (unscripted) rejections: bad key, no key header, unknown model, messages without text', async () => {
    const badKey = await failureOf(() => createGlm({ apiKey: 'invalid-key', baseURL: sim.glmBaseURL }).chatModel('glm-4.6').generate(ask('hi')));
    expect(badKey).toBeInstanceOf(AuthenticationError);
    expect(badKey).toMatchObject({ status: 401, vendorCode: '1002' });
    const unknownModel = await failureOf(() => glm.chatModel('glm-9000').generate(ask('hi')));
    expect(unknownModel).toBeInstanceOf(ModelNotFoundError);
    expect(unknownModel).toMatchObject({ status: 400, vendorCode: '1211' });
    // An image for a text-only model: GLM rejects the messages (1214).
    const imageOnText = await failureOf(() => glm.chatModel('glm-4.5').generate({ messages: [{ role: 'user', content: [{ type: 'image', image: 'https://example.com/a.png' }] }] }));
    expect(imageOnText).toBeInstanceOf(InvalidRequestError);
    expect(imageOnText.vendorCode).toBe('1214');
  });

  it('reads retry-after on a rate limit', async () => {
    const error = await failureOf(() => glm.chatModel('glm-4.6').generate(ask('[[sim:error:1302]] [[sim:retry-after:2]]')));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.retryAfterMs).toBe(2000);
  });

  it.each([500, 502, 503, 504])('maps a bare HTTP %s to ProviderUnavailableError', async (status) => {
    const error = await failureOf(() => glm.chatModel('glm-4.6').generate(ask(`[[sim:status:${status}]]`)));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(true);
  });

  it('throws a mid-stream error event from the iterator after the parts before it, with the stream request id', async () => {
    const parts: StreamPart[] = [];
    const error = await failureOf(() => drain(glm.chatModel('glm-4.5').stream(ask('[[sim:stream-error]]')), parts));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error.status).toBeUndefined();
    expect(error.vendorCode).toBe('500');
    expect(parts[0]).toMatchObject({ type: 'response-metadata' });
    expect(error.requestId).toBe((parts[0] as { requestId?: string }).requestId);
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
  });

  it('maps a connection reset mid-stream to ProviderUnavailableError', async () => {
    const parts: StreamPart[] = [];
    const error = await failureOf(() => drain(glm.chatModel('glm-4.5').stream(ask('[[sim:reset-after:2]]')), parts));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(parts.length).toBeGreaterThan(0);
  });

  it('maps an unreachable server to ProviderUnavailableError', async () => {
    const closed = await startSimulator();
    const baseURL = closed.glmBaseURL;
    await closed.close();
    const error = await failureOf(() => createGlm({ apiKey: 'k', baseURL }).chatModel('glm-4.6').generate(ask('hi')));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error.message).toMatch(/^Could not reach GLM \(connect ECONNREFUSED/);
  });

  it('maps a fault rule on the standalone web search (1113) and the files API (434)', async () => {
    sim.addFault({ vendor: 'glm', path: '/web_search', fault: 'error:1113', times: 1 });
    const search = await failureOf(() => glm.webSearch({ query: 'x' }));
    expect(search).toBeInstanceOf(QuotaExhaustedError);
    expect(search).toMatchObject({ status: 429, vendorCode: '1113' });
    const files = await failureOf(() => glm.files.list({}, { headers: { 'x-sim-fault': 'status:434' } }));
    expect(files).toBeInstanceOf(InvalidRequestError);
    expect(files.status).toBe(434);
    expect(files.message).toMatch(/files API/);
  });
});
