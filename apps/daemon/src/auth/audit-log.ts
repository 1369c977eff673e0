import type { ServiceStorage } from '@exai/storage';
import type { Logger } from 'pino';

/** One security-relevant event: an auth success or failure, a refused connection, a limit hit. */
export interface AuditEvent {
  action: string;
  outcome: 'success' | 'failure';
  userId?: string;
  ip?: string;
  resource?: string;
  details?: Record<string, unknown>;
}

/**
 * Writes audit events to storage (append-only `audit_log`, service scope) and to the log. A storage
 * failure is logged, never thrown: refusing a request must not depend on the database.
 */
export class AuditLog {
  constructor(
    private readonly storage: Pick<ServiceStorage, 'audit'>,
    private readonly logger: Logger,
  ) {}

  record(event: AuditEvent): void {
    this.logger.info({ audit: event.action, outcome: event.outcome, userId: event.userId, ip: event.ip, ...event.details }, `audit: ${event.action} ${event.outcome}`);
    this.storage.audit
      .append({
        action: event.action,
        outcome: event.outcome,
        ...(event.userId ? { userId: event.userId } : {}),
        ...(event.ip ? { ip: event.ip } : {}),
        ...(event.resource ? { resource: event.resource } : {}),
        ...(event.details ? { details: event.details } : {}),
      })
      .catch((error: unknown) => this.logger.warn({ err: error, audit: event.action }, 'audit event not stored'));
  }
}
