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
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { kimiErrorBodySchema } from './kimi-wire.js';

/** What was going on when an error happened; used to make the message actionable. */
export interface KimiErrorContext {
  /** The model of a chat call. */
  modelId?: string;
  /** The caller's signal: when it is aborted, any failure is reported as `AbortedError`. */
  signal?: AbortSignal | undefined;
  /** The vendor's request id already known (a stream's chunk `id`), for mid-stream errors. */
  requestId?: string | undefined;
  /** True when the call's own time limit (not the caller) aborted it. */
  timedOut?: boolean;
  /** Time limit of the call, for the timeout message. */
  timeoutMs?: number | undefined;
  /** What was being done, such as `chat`, `file upload` or `balance`. Defaults to `chat`. */
  operation?: string;
  /**
   * The resource the call addressed (`file cn0b…`). A not-found answer then means that resource
   * (an `InvalidRequestError` naming it), not an unknown model.
   */
  resource?: string;
}

const provider = 'kimi';

/**
 * Turns anything thrown by a Kimi call (openai SDK errors, mid-stream `data: {"error": …}` events,
 * network failures, aborts) into exai's `ProviderError` classes, by Kimi's `error.type`
 * (provider-wire.md §2.9) and, without one, by HTTP status. `ProviderError`s pass through unchanged.
 */
export function mapKimiError(error: unknown, context: KimiErrorContext = {}): ProviderError {
  if (ProviderError.isInstance(error)) return error;
  const operation = context.operation ?? 'chat';
  if (context.timedOut || error instanceof APIConnectionTimeoutError) {
    const limit = context.timeoutMs === undefined ? '' : ` within ${context.timeoutMs} ms`;
    return new ProviderTimeoutError({
      message: `Kimi did not answer the ${operation} call${limit}. Retry, or raise timeoutMs for long answers.`,
      provider,
      cause: error,
    });
  }
  if (context.signal?.aborted || error instanceof APIUserAbortError || isAbortError(error)) {
    return new AbortedError({ message: `The Kimi ${operation} call was aborted by the caller.`, provider, cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new ProviderUnavailableError({
      message: `Could not reach Kimi for the ${operation} call (${describeCause(error)}). Check the network and the base URL; retry later.`,
      provider,
      cause: error,
    });
  }
  if (error instanceof APIError) return fromApiError(error, context, operation);
  return new ProviderUnavailableError({
    message: `The Kimi ${operation} call failed before completing (${describeCause(error)}); the connection or the response was broken. Retry later.`,
    provider,
    requestId: context.requestId,
    cause: error,
  });
}

function fromApiError(error: APIError, context: KimiErrorContext, operation: string): ProviderError {
  const parsed = kimiErrorBodySchema.safeParse(error.error);
  const type = (parsed.success ? parsed.data.type : undefined) ?? error.type ?? undefined;
  const vendorMessage = (parsed.success ? parsed.data.message : undefined) ?? error.message;
  const status = error.status;
  const options: ProviderErrorOptions = {
    message: '',
    provider,
    status,
    vendorCode: type,
    requestId: error.requestID ?? context.requestId ?? undefined,
    cause: error,
  };
  const said = `Kimi said: "${vendorMessage}"`;
  const model = context.modelId ?? 'the model';

  switch (type) {
    case 'content_filter':
      return new ContentFilteredError({
        ...options,
        message: `Kimi's content filter rejected the ${operation} request as high risk (${said}). Rephrase the input or use another provider.`,
      });
    case 'invalid_request_error':
      if (/input token length too long|exceeded model token limit/i.test(vendorMessage)) {
        return new ContextTooLongError({
          ...options,
          message: `The prompt plus max_tokens does not fit ${model}'s context window (${said}). Shorten the conversation, lower maxTokens, or pick a model with a larger context.`,
        });
      }
      return new InvalidRequestError({ ...options, message: `Kimi rejected the ${operation} request (${said}). Fix the request; sending it again will fail the same way.` });
    case 'invalid_authentication_error':
    case 'incorrect_api_key_error':
    case 'permission_denied_error':
      return new AuthenticationError({
        ...options,
        message: `Kimi refused the API key for the ${operation} call (${said}). Check KIMI_API_KEY, and that the key belongs to the region of the base URL (api.moonshot.ai and api.moonshot.cn keys are not interchangeable).`,
      });
    case 'resource_not_found_error':
      if (context.resource !== undefined) return notFound(context.resource, options, said);
      return new ModelNotFoundError({
        ...options,
        message: `Kimi does not know ${model} or the key may not use it (${said}). Use an id from listModels().`,
      });
    case 'exceeded_current_quota_error':
      return new QuotaExhaustedError({
        ...options,
        message: `The Kimi account's balance or quota is used up (${said}). Top up or check billing at platform.moonshot.ai; retrying will not help.`,
      });
    case 'rate_limit_reached_error': {
      const retryAfterMs = retryAfterFrom(vendorMessage, error.headers);
      const wait = retryAfterMs === undefined ? 'Retry later' : `Retry after ${retryAfterMs / 1000} s`;
      return new RateLimitedError({ ...options, retryAfterMs, message: `Kimi rate limit reached (${said}). ${wait}, or lower the concurrency.` });
    }
    case 'engine_overloaded_error':
      return new ProviderUnavailableError({
        ...options,
        retryAfterMs: retryAfterFrom(vendorMessage, error.headers),
        message: `Kimi's engine is overloaded (${said}). Retry later or use another provider.`,
      });
    case 'server_error':
    case 'unexpected_output':
      return new ProviderUnavailableError({ ...options, message: `Kimi failed on its side (${said}). Retry later.` });
  }
  if (status === 404 && context.resource !== undefined) return notFound(context.resource, options, said);
  return fromStatus(status, options, said, operation, model, error.headers);
}

function notFound(resource: string, options: ProviderErrorOptions, said: string): ProviderError {
  return new InvalidRequestError({ ...options, message: `Kimi has no ${resource} (${said}). Check the id; list what exists first.` });
}

function fromStatus(
  status: number | undefined,
  options: ProviderErrorOptions,
  said: string,
  operation: string,
  model: string,
  headers: Headers | undefined,
): ProviderError {
  if (status === 401 || status === 403) {
    return new AuthenticationError({ ...options, message: `Kimi refused the API key for the ${operation} call (${said}). Check KIMI_API_KEY.` });
  }
  if (status === 404) {
    return new ModelNotFoundError({ ...options, message: `Kimi does not know ${model} or the ${operation} endpoint (${said}). Check the model id and the base URL.` });
  }
  if (status === 429) {
    const retryAfterMs = retryAfterFrom('', headers);
    return new RateLimitedError({ ...options, retryAfterMs, message: `Kimi throttled the ${operation} call (${said}). Retry later.` });
  }
  if (status === 408) {
    return new ProviderTimeoutError({ ...options, message: `Kimi timed out on the ${operation} call (${said}). Retry.` });
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new InvalidRequestError({ ...options, message: `Kimi rejected the ${operation} request with HTTP ${status} (${said}).` });
  }
  const where = status === undefined ? 'in the middle of the stream' : `with HTTP ${status}`;
  return new ProviderUnavailableError({ ...options, message: `Kimi failed ${where} during the ${operation} call (${said}). Retry later.` });
}

/**
 * Milliseconds to wait: Kimi's "please try again after {t} seconds" (§2.9), else the
 * `retry-after-ms` / `retry-after` headers.
 */
function retryAfterFrom(message: string, headers: Headers | undefined): number | undefined {
  const match = /try again after (\d+(?:\.\d+)?) ?s/i.exec(message);
  if (match?.[1] !== undefined) return Math.round(Number(match[1]) * 1000);
  const ms = Number(headers?.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const header = headers?.get('retry-after');
  if (header == null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

function describeCause(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  // Network errors nest: the SDK's "Connection error." wraps undici's "fetch failed" wrapping ECONNREFUSED.
  for (let depth = 0; depth < 4 && current !== undefined; depth++) {
    messages.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages.join(': ');
}
