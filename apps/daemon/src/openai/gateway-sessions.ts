import type { DaemonContext, Principal } from '../daemon-context.js';
import { auditAuthSuccess } from '../mcp-http/authenticate-http-request.js';

interface GatewaySession {
  id: string;
  active: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The gateway's sessions: one per user (`openai:<userId>`, also the router's session for its
 * per-session in-flight limit), registered in the session registry (transport `openai`) while the
 * user sends requests and closed after `EXAI_IDLE_TIMEOUT_MS` without one. A session's first request
 * audits the authentication; later ones do not, so a busy client writes no audit row per request.
 */
export class GatewaySessions {
  readonly #sessions = new Map<string, GatewaySession>();

  constructor(private readonly context: DaemonContext) {}

  /** Marks a request of the principal as started; call the returned function when it has ended. */
  begin(principal: Principal, ip: string): { sessionId: string; end: () => void } {
    const id = `openai:${principal.userId}`;
    let session = this.#sessions.get(id);
    if (!session) {
      session = { id, active: 0, timer: undefined };
      this.#sessions.set(id, session);
      this.context.sessions.open({ id, userId: principal.userId, subject: principal.subject, transport: 'openai', ip });
      auditAuthSuccess(this.context, principal, { face: 'openai', ip, sessionId: id });
    } else {
      this.context.sessions.touch(id);
    }
    const current = session;
    current.active++;
    if (current.timer) clearTimeout(current.timer);
    current.timer = undefined;
    let ended = false;
    return {
      sessionId: id,
      end: () => {
        if (ended) return;
        ended = true;
        current.active--;
        if (current.active > 0 || this.#sessions.get(id) !== current) return;
        current.timer = setTimeout(() => this.#close(current), this.context.config.idleTimeoutMs);
        current.timer.unref();
      },
    };
  }

  /** Closes every session (shutdown). */
  closeAll(): void {
    for (const session of [...this.#sessions.values()]) this.#close(session);
  }

  #close(session: GatewaySession): void {
    if (session.timer) clearTimeout(session.timer);
    this.#sessions.delete(session.id);
    this.context.sessions.close(session.id);
  }
}
