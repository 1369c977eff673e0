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
    context.metrics.countAuth({ principal });
    context.audit.record({ action: 'auth', outcome: 'success', userId: principal.userId, ip: event.ip, resource: '/ws', details: { face: event.face, method: principal.method, subject: principal.subject, credential: event.credential } });
    return;
  }
  const code = AuthError.isInstance(event.error) ? event.error.code : 'auth_error';
  context.metrics.countAuth({ error: event.error, presented: event.credential !== 'none' });
  context.audit.record({ action: 'auth', outcome: 'failure', ip: event.ip, resource: '/ws', details: { face: event.face, credential: event.credential, code } });
}
