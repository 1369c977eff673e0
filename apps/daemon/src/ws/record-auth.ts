import { AuthError } from '../auth/auth-error.js';
import type { DaemonContext, Principal } from '../daemon-context.js';

/** Where a WebSocket client's credential came from. */
export type CredentialSource = 'header' | 'query' | 'hello' | 'rotate_token' | 'none';

/**
 * Audits and counts one authentication of a WebSocket client (`action: 'auth'`). Records the
 * outcome, the credential's source and the refusal code, never the token.
 */
export function recordAuth(
  context: Pick<DaemonContext, 'audit' | 'metrics'>,
  event: { face: 'websocket' | 'legacy-websocket'; ip: string; credential: CredentialSource } & ({ principal: Principal } | { error: unknown }),
): void {
  if ('principal' in event) {
    const { principal } = event;
    context.metrics.auth.inc({ method: principal.method, outcome: 'success' });
    context.audit.record({ action: 'auth', outcome: 'success', userId: principal.userId, ip: event.ip, resource: '/ws', details: { face: event.face, method: principal.method, subject: principal.subject, credential: event.credential } });
    return;
  }
  const code = AuthError.isInstance(event.error) ? event.error.code : 'auth_error';
  context.metrics.auth.inc({ method: event.credential, outcome: 'failure' });
  context.audit.record({ action: 'auth', outcome: 'failure', ip: event.ip, resource: '/ws', details: { face: event.face, credential: event.credential, code } });
}
