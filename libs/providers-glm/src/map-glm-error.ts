import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
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
  type ProviderErrorOptions,
} from '@exai/router/spec';
import { GLM_PROVIDER_ID } from './glm-client.js';

/** What a failing call was doing; it decides what a bare 404 means. */
export type GlmOperation = 'chat' | 'web_search' | 'files';

/** What `mapGlmError` knows about the failing call. */
export interface GlmErrorContext {
  operation?: GlmOperation;
  /** The caller's signal: once it is aborted, any failure is an `AbortedError`. */
  signal?: AbortSignal;
  /** Request id known from earlier stream chunks (a mid-stream error body carries none). */
  requestId?: string;
  /** The configured time limit, for the timeout message. */
  timeoutMs?: number;
  /** Model id, for messages. */
  modelId?: string;
}

type ErrorClass = new (options: ProviderErrorOptions) => ProviderError;

/** How one GLM business code or HTTP status is reported. */
interface Rule {
  errorClass: ErrorClass;
  /** What happened, starting with "GLM …". */
  summary: string;
  /** What to do about it. */
  advice: string;
}

const rule = (errorClass: ErrorClass, summary: string, advice: string): Rule => ({ errorClass, summary, advice });

const badKey = rule(AuthenticationError, 'GLM rejected the API key', 'check GLM_API_KEY (a Z.ai key; a Coding-Plan key works only with the coding base URL)');
const expiredKey = rule(AuthenticationError, 'GLM API key has expired', 'create a new key at z.ai and update GLM_API_KEY');
const locked = rule(AuthenticationError, 'GLM account is locked', 'contact Z.ai support or use another provider');
const rateLimited = rule(RateLimitedError, 'GLM rate limit reached', 'wait and retry with fewer concurrent requests, or use another provider');
const badParameter = rule(InvalidRequestError, 'GLM rejected a request parameter', 'fix the request; GLM takes temperature in [0, 1], one stop word, tool_choice "auto" only and max_tokens');
const codingQuota = rule(QuotaExhaustedError, 'GLM Coding Plan quota is used up', 'wait until the plan quota resets or use another provider');

/** Every documented GLM business code (provider-wire.md §1.9). */
const rulesByCode: Record<string, Rule> = {
  '401': badKey,
  '1000': badKey,
  '1001': rule(AuthenticationError, 'GLM received no API key', 'set GLM_API_KEY to a Z.ai API key'),
  '1002': badKey,
  '1003': expiredKey,
  '1004': expiredKey,
  '1112': locked,
  '1121': locked,
  '1113': rule(QuotaExhaustedError, 'GLM balance is exhausted', 'recharge at z.ai or use another provider'),
  '1304': rule(QuotaExhaustedError, 'GLM daily call limit reached', 'wait until the daily limit resets or use another provider'),
  '1308': codingQuota,
  '1310': codingQuota,
  '1211': rule(ModelNotFoundError, 'GLM does not know this model', 'use a GLM model id such as glm-4.6, glm-4.5, glm-4.5-air, glm-4.5-flash or glm-4.5v'),
  '1210': badParameter,
  '1213': badParameter,
  '1214': rule(InvalidRequestError, 'GLM rejected the messages', 'send at least one user message, with string content on assistant and tool messages'),
  '1261': rule(ContextTooLongError, 'The prompt is too long for this GLM model', 'shorten the conversation or the files, or use a model with a larger context window (glm-4.6: 200K tokens)'),
  '1301': rule(ContentFilteredError, 'GLM content filter blocked the request', 'rephrase the input or use another provider'),
  '1302': rateLimited,
  '1303': rule(RateLimitedError, 'GLM concurrency limit reached', 'wait and retry with fewer concurrent requests, or use another provider'),
  '1305': rule(RateLimitedError, 'GLM traffic limit reached', 'wait and retry later, or use another provider'),
  '1312': rule(ProviderUnavailableError, 'GLM model is overloaded', 'retry later or use another model'),
};

const rulesByStatus: Record<number, Rule> = {
  401: badKey,
  403: rule(AuthenticationError, 'GLM refused access with this API key', 'check GLM_API_KEY and the key\'s permissions at z.ai'),
  408: rule(ProviderTimeoutError, 'GLM timed out', 'retry, or shorten the request'),
  413: rule(InvalidRequestError, 'The request is too large for GLM', 'send less content (images ≤ 5 MB, files ≤ 100 MB)'),
  429: rateLimited,
  434: rule(InvalidRequestError, 'This GLM account may not use the files API', 'ask Z.ai to enable file access for the account'),
  435: rule(InvalidRequestError, 'The file is larger than GLM accepts (100 MB)', 'upload a smaller file'),
};

/**
 * Turns anything a GLM call can throw (openai SDK errors, GLM error bodies, mid-stream
 * `data: {"error":…}` events, network failures, aborts) into the contract's typed `ProviderError`.
 * Decisions come from GLM's business code first, then the HTTP status (provider-wire.md §1.9).
 */
export function mapGlmError(error: unknown, context: GlmErrorContext = {}): ProviderError {
  if (ProviderError.isInstance(error)) return error;
  const base = { provider: GLM_PROVIDER_ID, cause: error, requestId: context.requestId };

  // Before the abort check: the SDK reports its own deadline as a connection timeout, and a caller abort as APIUserAbortError.
  if (error instanceof APIConnectionTimeoutError) return timeout(base, context);
  if (error instanceof APIUserAbortError || context.signal?.aborted) {
    return new AbortedError({ ...base, message: 'The GLM call was cancelled by the caller' });
  }
  if (isNamed(error, 'TimeoutError') || isNamed(error, 'AbortError')) return timeout(base, context);
  if (error instanceof APIConnectionError) {
    return new ProviderUnavailableError({ ...base, message: `Could not reach GLM (${describeCause(error)}): check the network and the base URL, or retry later` });
  }
  if (error instanceof APIError) return fromApiError(error, context);
  if (error instanceof SyntaxError) {
    return new ProviderUnavailableError({ ...base, message: `GLM sent a malformed stream event (${error.message}): retry the call` });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new ProviderUnavailableError({ ...base, message: `The connection to GLM failed (${detail}): retry the call` });
}

function fromApiError(error: APIError, context: GlmErrorContext): ProviderError {
  const body = (typeof error.error === 'object' && error.error !== null ? error.error : {}) as Record<string, unknown>;
  const code = body['code'];
  // GLM sends the code as a numeric string (§1.9); accept a number too.
  const vendorCode = typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
  const vendorMessage = typeof body['message'] === 'string' ? body['message'] : undefined;
  const requestId = stringOrUndefined(body['request_id']) ?? stringOrUndefined(error.requestID) ?? context.requestId;
  const status = error.status;

  const chosen = (vendorCode === undefined ? undefined : rulesByCode[vendorCode]) ?? ruleForStatus(status, context);
  const said = vendorMessage ? ` GLM said: "${vendorMessage}"` : '';
  const reference = vendorCode ?? (status === undefined ? 'mid-stream' : `HTTP ${status}`);
  return new chosen.errorClass({
    provider: GLM_PROVIDER_ID,
    status,
    vendorCode,
    requestId,
    retryAfterMs: retryAfterMs(error.headers),
    cause: error,
    message: `${chosen.summary} (${reference}): ${chosen.advice}.${said}`,
  });
}

function ruleForStatus(status: number | undefined, context: GlmErrorContext): Rule {
  if (status === undefined) return rule(ProviderUnavailableError, 'GLM failed while streaming', 'retry the call');
  const known = rulesByStatus[status];
  if (known) return known;
  if (status === 404) {
    return context.operation === 'chat'
      ? rule(ModelNotFoundError, `GLM does not serve ${context.modelId ? `model ${context.modelId}` : 'this model'} at this endpoint`, 'check the model id and the base URL')
      : rule(InvalidRequestError, 'GLM has no such resource', context.operation === 'files' ? 'check the file id' : 'check the base URL');
  }
  if (status >= 500) return rule(ProviderUnavailableError, 'GLM is failing', 'retry later or use another provider');
  if (status >= 400) return badParameter;
  return rule(ProviderUnavailableError, 'GLM answered unexpectedly', 'retry the call');
}

function timeout(base: Pick<ProviderErrorOptions, 'provider' | 'cause' | 'requestId'>, context: GlmErrorContext): ProviderTimeoutError {
  const limit = context.timeoutMs === undefined ? '' : ` within ${context.timeoutMs} ms`;
  return new ProviderTimeoutError({ ...base, message: `GLM did not answer${limit}: retry, or raise timeoutMs` });
}

/** `retry-after-ms` (milliseconds) or `retry-after` (seconds or an HTTP date), as the openai SDK reads them. */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The innermost message of a connection error (undici puts `ECONNREFUSED …` two causes deep). */
function describeCause(error: APIConnectionError): string {
  let message = error.message;
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const candidate = (current as { message?: unknown }).message;
    if (typeof candidate === 'string' && candidate !== '') message = candidate;
    current = (current as { cause?: unknown }).cause;
  }
  return message;
}

function isNamed(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * GLM blocked its own output: HTTP 200 with `finish_reason: "sensitive"` (§1.9). Reported as a
 * `ContentFilteredError` so that fallback can try another provider.
 */
export function glmSensitiveOutputError(requestId: string | undefined): ContentFilteredError {
  return new ContentFilteredError({
    provider: GLM_PROVIDER_ID,
    status: 200,
    vendorCode: 'sensitive',
    requestId,
    message: 'GLM content filter blocked the answer (finish_reason "sensitive"): rephrase the request or use another provider',
  });
}
