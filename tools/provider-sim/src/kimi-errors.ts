import type { WireError } from './glm-errors.js';

/** The organisation and key names the simulator's Kimi messages quote. */
const account = 'org-sim<ak-sim>';

/**
 * Kimi error types with their HTTP status and message (provider-wire.md §2.9, verbatim where the
 * docs give one; `server_error`'s generic text is assumed).
 */
const kimiTypes: Record<string, [status: number, message: string]> = {
  content_filter: [400, 'The request was rejected because it was considered high risk'],
  invalid_request_error: [400, 'Invalid request: simulated invalid request'],
  invalid_authentication_error: [401, 'Invalid Authentication'],
  incorrect_api_key_error: [401, 'Incorrect API key provided'],
  permission_denied_error: [403, 'The API you are accessing is not open'],
  resource_not_found_error: [404, 'Not found the model sim-model or Permission denied'],
  engine_overloaded_error: [429, 'The engine is currently overloaded, please try again later'],
  exceeded_current_quota_error: [429, 'You exceeded your current token quota: <org-sim> 0, please check your account balance'],
  rate_limit_reached_error: [429, `Your account ${account} request reached organization max RPM: 3, please try again after 1 seconds`],
  server_error: [500, 'Internal server error, please try again later'],
  unexpected_output: [500, 'invalid state transition'],
};

/** Every Kimi error type the simulator knows. */
export const kimiErrorTypes: readonly string[] = Object.keys(kimiTypes);

/** The Kimi error of `type` (`message` overrides the table's); unknown types answer 400. */
export function kimiError(type: string, message?: string): WireError {
  const known = kimiTypes[type];
  return { status: known?.[0] ?? 400, body: { error: { type, message: message ?? known?.[1] ?? `Simulated error ${type}` } } };
}

/** 400 `invalid_request_error` with `message`. */
export function kimiInvalid(message: string): WireError {
  return kimiError('invalid_request_error', message);
}

/** The RPM rate-limit error, retry after `seconds` (a real body: "…max RPM: 3, please try again after 1 seconds"). */
export function kimiRateLimit(seconds: number): WireError {
  return kimiError(
    'rate_limit_reached_error',
    `Your account ${account} request reached organization max RPM: 3, please try again after ${seconds} seconds`,
  );
}

/** The quota error for an account whose balance is `balance` USD. */
export function kimiQuotaError(balance: number): WireError {
  return kimiError(
    'exceeded_current_quota_error',
    `You exceeded your current token quota: <org-sim> ${Math.min(balance, 0)}, please check your account balance`,
  );
}

/** 404 for an unknown model. */
export function kimiModelNotFound(model: string): WireError {
  return kimiError('resource_not_found_error', `Not found the model ${model} or Permission denied`);
}

const reasons: Record<number, string> = { 500: 'Internal server error, please try again later', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/** A bare HTTP status in Kimi's body shape (`server_error` for 5xx). */
export function kimiStatusError(status: number): WireError {
  const type = status >= 500 ? 'server_error' : status === 404 ? 'resource_not_found_error' : 'invalid_request_error';
  return { status, body: { error: { type, message: reasons[status] ?? `HTTP ${status}` } } };
}
