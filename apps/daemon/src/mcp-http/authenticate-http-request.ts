import type { IncomingMessage } from 'node:http';
import { AuthError } from '../auth/auth-error.js';
import type { DaemonContext, Principal } from '../daemon-context.js';

/** The outcome of checking one HTTP request's credential. */
export type HttpAuthOutcome = { principal: Principal; error?: undefined } | { principal?: undefined; error: AuthError };

/**
 * Authenticates one HTTP request (`Authorization: Bearer <token>`), counting the outcome in
 * `exai_auth_total` and auditing every failure (`action: 'auth'`). Successes are audited by the
 * caller, once per session, so a busy client does not write a row per request.
 */
export async function authenticateHttpRequest(context: DaemonContext, request: IncomingMessage, details: { face: string; ip: string; path: string }): Promise<HttpAuthOutcome> {
  try {
    const principal = await context.auth.authenticate(request);
    context.metrics.countAuth({ principal });
    return { principal };
  } catch (caught) {
    const error = caught instanceof AuthError ? caught : new AuthError('invalid_token', 'the token could not be verified');
    if (!(caught instanceof AuthError)) context.logger.warn({ err: caught, face: details.face }, 'authentication failed unexpectedly');
    context.metrics.countAuth({ error, presented: request.headers.authorization !== undefined });
    context.audit.record({ action: 'auth', outcome: 'failure', ip: details.ip, details: { transport: details.face, code: error.code, path: details.path } });
    return { error };
  }
}

/** Audits a successful authentication (once per session or gateway session). */
export function auditAuthSuccess(context: DaemonContext, principal: Principal, details: { face: string; ip: string; sessionId: string }): void {
  context.audit.record({ action: 'auth', outcome: 'success', userId: principal.userId, ip: details.ip, details: { transport: details.face, method: principal.method, subject: principal.subject, session: details.sessionId } });
}

/**
 * The `WWW-Authenticate` challenge of a 401 (RFC 6750 §3): no error code when no credential was sent,
 * `invalid_token` with a description otherwise. The description never contains the token.
 */
export function bearerChallenge(error: AuthError): string {
  if (error.code === 'missing_token') return 'Bearer realm="exai"';
  return `Bearer realm="exai", error="invalid_token", error_description="${error.message.replace(/["\\]/g, "'")}"`;
}
