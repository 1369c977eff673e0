/** A refused connection or call: which limit, and when to try again. */
export interface LimitExceeded {
  /** `connections`, `connections_per_ip`, `rate_global`, `rate_user`, `rate_ip`, `draining`, `rate_store_unavailable`. */
  limit: string;
  message: string;
  /** Milliseconds to wait before retrying. */
  retryAfterMs: number;
}

/** JSON-RPC error code exai uses for "over a limit, retry later" (server-defined range). */
export const OVER_LIMIT_RPC_CODE = -32029;

/** The JSON-RPC error object of a refusal: `data` carries the limit and `retry_after_ms`. */
export function limitRpcError(refusal: LimitExceeded): { code: number; message: string; data: { limit: string; retry_after_ms: number } } {
  return { code: OVER_LIMIT_RPC_CODE, message: refusal.message, data: { limit: refusal.limit, retry_after_ms: refusal.retryAfterMs } };
}
