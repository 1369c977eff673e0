import type { ServerResponse } from 'node:http';
import { CapabilityError, ModelNotAllowedError, NoQualifyingModelError, OverCapacityError, ProviderNotConfiguredError, UnknownModelError } from '@exai/router';
import { ExaiError, ProviderError } from '@exai/router/spec';
import { sendJson } from '../http-helpers.js';
import type { LimitExceeded } from '../limits/limit-exceeded.js';

/** OpenAI's error `type`s that this gateway answers with. */
export type OpenAiErrorType = 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'rate_limit_error' | 'server_error' | 'api_error';

/**
 * An error answered the way the OpenAI API answers it — `{ error: { message, type, param, code } }`
 * with a matching HTTP status — so OpenAI clients raise their usual error classes
 * (`BadRequestError`, `AuthenticationError`, `RateLimitError`, …).
 */
export class OpenAiError extends Error {
  readonly status: number;
  readonly type: OpenAiErrorType;
  readonly code: string | null;
  readonly param: string | null;
  /** Sent as `Retry-After` (seconds, rounded up) when set. */
  readonly retryAfterMs: number | undefined;

  constructor(options: { status: number; message: string; type: OpenAiErrorType; code?: string | null; param?: string | null; retryAfterMs?: number; cause?: unknown }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OpenAiError';
    this.status = options.status;
    this.type = options.type;
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** The JSON body (also the payload of a mid-stream SSE error event). */
  toBody(): { error: { message: string; type: OpenAiErrorType; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  /** Response headers of the error (`Retry-After`). */
  headers(): Record<string, string> {
    return this.retryAfterMs === undefined ? {} : { 'retry-after': String(Math.max(1, Math.ceil(this.retryAfterMs / 1000))) };
  }
}

/** Answers with an OpenAI-style error (no-op when the response has ended). */
export function sendOpenAiError(response: ServerResponse, error: OpenAiError, headers: Record<string, string> = {}): void {
  sendJson(response, error.status, error.toBody(), { ...headers, ...error.headers() });
}

/** A refused call (rate limits, draining) as OpenAI answers rate limits: 429 (503 while draining) with `Retry-After`. */
export function openAiErrorFromRefusal(refusal: LimitExceeded): OpenAiError {
  const draining = refusal.limit === 'draining';
  return new OpenAiError({ status: draining ? 503 : 429, message: refusal.message, type: draining ? 'server_error' : 'rate_limit_error', code: draining ? 'draining' : 'rate_limit_exceeded', retryAfterMs: refusal.retryAfterMs });
}

/**
 * Maps what the router throws to an OpenAI error: routing problems the caller can fix are 4xx naming
 * `model` or `messages`; upstream trouble that survived retries and fallbacks is 5xx (502 for a vendor
 * failure, 504 for a timeout), never the vendor's own 401 (the gateway's key is not the caller's).
 */
export function openAiErrorFrom(error: unknown): OpenAiError {
  if (error instanceof OpenAiError) return error;
  if (UnknownModelError.isInstance(error)) return new OpenAiError({ status: 404, message: error.message, type: 'invalid_request_error', code: 'model_not_found', param: 'model', cause: error });
  if (ProviderNotConfiguredError.isInstance(error) || ModelNotAllowedError.isInstance(error)) {
    return new OpenAiError({ status: 400, message: error.message, type: 'invalid_request_error', code: 'model_not_available', param: 'model', cause: error });
  }
  if (CapabilityError.isInstance(error)) return new OpenAiError({ status: 400, message: error.message, type: 'invalid_request_error', code: 'capability_unsupported', param: 'model', cause: error });
  if (NoQualifyingModelError.isInstance(error)) return new OpenAiError({ status: 400, message: error.message, type: 'invalid_request_error', code: 'no_qualifying_model', param: 'model', cause: error });
  if (OverCapacityError.isInstance(error)) return new OpenAiError({ status: 429, message: error.message, type: 'rate_limit_error', code: 'over_capacity', retryAfterMs: error.retryAfterMs, cause: error });
  if (ProviderError.isInstance(error)) return fromProviderError(error);
  if (ExaiError.isInstance(error)) return new OpenAiError({ status: 500, message: error.message, type: 'server_error', code: error.code, cause: error });
  return new OpenAiError({ status: 500, message: 'internal error', type: 'server_error', code: 'internal_error', cause: error });
}

function fromProviderError(error: ProviderError): OpenAiError {
  const common = { message: error.message, code: error.code, cause: error };
  switch (error.code) {
    case 'rate_limited':
      return new OpenAiError({ ...common, status: 429, type: 'rate_limit_error', ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) });
    case 'quota_exhausted':
      return new OpenAiError({ ...common, status: 429, type: 'rate_limit_error', code: 'insufficient_quota' });
    case 'context_too_long':
      return new OpenAiError({ ...common, status: 400, type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' });
    case 'content_filtered':
      return new OpenAiError({ ...common, status: 400, type: 'invalid_request_error', code: 'content_filter', param: 'messages' });
    case 'invalid_request':
      return new OpenAiError({ ...common, status: 400, type: 'invalid_request_error' });
    case 'model_not_found':
      return new OpenAiError({ ...common, status: 404, type: 'invalid_request_error', param: 'model' });
    case 'timeout':
      return new OpenAiError({ ...common, status: 504, type: 'server_error' });
    case 'aborted':
      // Only seen when the client went away (nobody reads it) or the server is shutting down.
      return new OpenAiError({ ...common, status: 503, type: 'server_error', code: 'cancelled' });
    case 'authentication':
      return new OpenAiError({ ...common, status: 502, type: 'api_error', code: 'upstream_authentication' });
    default:
      return new OpenAiError({ ...common, status: 502, type: 'api_error' });
  }
}
