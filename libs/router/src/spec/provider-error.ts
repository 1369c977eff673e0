import { ExaiError } from './exai-error.js';

const marker = Symbol.for('exai.error.ProviderError');

/** Stable codes of errors raised by provider calls. */
export type ProviderErrorCode =
  | 'authentication'
  | 'rate_limited'
  | 'quota_exhausted'
  | 'context_too_long'
  | 'content_filtered'
  | 'invalid_request'
  | 'model_not_found'
  | 'provider_unavailable'
  | 'timeout'
  | 'aborted';

/** Fields every provider error carries. */
export interface ProviderErrorOptions {
  message: string;
  /** Provider id, such as `glm` or `kimi`. */
  provider: string;
  /** HTTP status of the upstream response; undefined for network errors and mid-stream errors. */
  status?: number;
  /** The vendor's own code: GLM's numeric string (`"1113"`), Kimi's `error.type`. */
  vendorCode?: string;
  /** Upstream request id, when the vendor returned one. */
  requestId?: string;
  /** Milliseconds the vendor asked us to wait before trying again. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** Base class of the errors a provider call can fail with. Decisions read `code` and `retryable`. */
export class ProviderError extends ExaiError {
  override readonly code: ProviderErrorCode;
  readonly provider: string;
  readonly status: number | undefined;
  readonly vendorCode: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** Whether the same request may succeed if sent again later. */
  readonly retryable: boolean;

  constructor(code: ProviderErrorCode, retryable: boolean, options: ProviderErrorOptions) {
    super(code, options);
    this.name = 'ProviderError';
    this.code = code;
    this.retryable = retryable;
    this.provider = options.provider;
    this.status = options.status;
    this.vendorCode = options.vendorCode;
    this.requestId = options.requestId;
    this.retryAfterMs = options.retryAfterMs;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for any provider error, even one created by another copy of this package. */
  static override isInstance(error: unknown): error is ProviderError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

/** The API key is missing, wrong, expired, or not valid for this endpoint (HTTP 401/403). Not retryable. */
export class AuthenticationError extends ProviderError {
  constructor(options: ProviderErrorOptions) {
    super('authentication', false, options);
    this.name = 'AuthenticationError';
  }
}

/** Too many requests or tokens for the account's limits (HTTP 429). Retryable, honouring `retryAfterMs`. */
export class RateLimitedError extends ProviderError {
  constructor(options: ProviderErrorOptions) {
    super('rate_limited', true, options);
    this.name = 'RateLimitedError';
  }
}

/** The account's balance or quota is used up (GLM 1113, Kimi `exceeded_current_quota_error`). Not retryable. */
export class QuotaExhaustedError extends ProviderError {
  constructor(options: ProviderErrorOptions) {
    super('quota_exhausted', false, options);
    this.name = 'QuotaExhaustedError';
  }
}

/** The prompt plus the requested output does not fit the model's context window. Not retryable as is. */
export class ContextTooLongError extends ProviderError {
  constructor(options: ProviderErrorOptions) {
    super('context_too_long', false, options);
    this.name = 'ContextTooLongError';
  }
}

/** The vendor's safety filter blocked the input or the output. Not retryable on the same provider. */
export class ContentFilteredError extends ProviderError {
  constructor(options: ProviderErrorOptions) {
    super('content_filtered', false, options);
    this.name = 'ContentFilteredError';
  }
}

/** The vendor rejected the request's shape or parameters (HTTP 400). Not retryable. */
export class InvalidRequestError extends ProviderError {
  constructor(options: ProviderErrorOptions) {
    super('invalid_request', false, options);
    this.name = 'InvalidRequestError';
  }
}

/** The vendor does not know the model, or the key may not use it (HTTP 404, GLM 1211). Not retryable. */
export class ModelNotFoundError extends ProviderError {
  constructor(options: ProviderErrorOptions) {
    super('model_not_found', false, options);
    this.name = 'ModelNotFoundError';
  }
}

/** The vendor failed (5xx), is overloaded, or could not be reached. Retryable. */
export class ProviderUnavailableError extends ProviderError {
  constructor(options: ProviderErrorOptions) {
    super('provider_unavailable', true, options);
    this.name = 'ProviderUnavailableError';
  }
}

/** The call did not finish within its time limit. Retryable. */
export class ProviderTimeoutError extends ProviderError {
  constructor(options: ProviderErrorOptions) {
    super('timeout', true, options);
    this.name = 'ProviderTimeoutError';
  }
}

/** The caller aborted the call through its `AbortSignal`. Never retried. */
export class AbortedError extends ProviderError {
  constructor(options: ProviderErrorOptions) {
    super('aborted', false, options);
    this.name = 'AbortedError';
  }
}
