import type { SqlLogger } from './sql-logger.js';
import type { ServiceStorage, Storage, StorageKind, StorageStatus, UserStorage } from '../storage.js';
import type { BucketStore } from './bucket-store.js';
import type { SqlClient } from './sql-client.js';
import { SqlAudit } from './sql-audit.js';
import { SqlConversations } from './sql-conversations.js';
import { SqlFiles } from './sql-files.js';
import { SqlHealth } from './sql-health.js';
import { SqlQuota } from './sql-quota.js';
import { SqlRoutingDecisions } from './sql-routing-decisions.js';
import { SqlScope } from './sql-scope.js';
import { SqlService } from './sql-service.js';
import { SqlSessions } from './sql-sessions.js';
import { SqlToolCalls } from './sql-tool-calls.js';
import { SqlUploads } from './sql-uploads.js';
import { SqlUsage } from './sql-usage.js';
import { SqlWorkflows } from './sql-workflows.js';
import { requireUuid } from './sql-validation.js';

/** Options of {@link SqlStorage}. */
export interface SqlStorageOptions {
  kind: StorageKind;
  client: SqlClient;
  buckets: BucketStore;
  /** Reported by `status()`; default the client's location. */
  location?: string;
  /** Per-transaction `statement_timeout`. */
  statementTimeoutMs?: number;
  logger?: SqlLogger;
}

/**
 * `Storage` over SQL (PGlite or PostgreSQL) and a bucket store. Every user call runs as the
 * `authenticated` role with the user's JWT claims, every service call as `service_role`, so the
 * schema's row-level security policies decide what each call may see and change.
 */
export class SqlStorage implements Storage {
  readonly kind: StorageKind;
  readonly service: ServiceStorage;
  readonly #options: SqlStorageOptions;
  readonly #health = new SqlHealth();

  constructor(options: SqlStorageOptions) {
    this.kind = options.kind;
    this.#options = options;
    this.service = new SqlService(this.#scope(undefined));
  }

  forUser(userId: string): UserStorage {
    requireUuid(userId, 'userId');
    const scope = this.#scope(userId);
    return {
      userId,
      conversations: new SqlConversations(scope, userId),
      files: new SqlFiles({ scope, userId, buckets: this.#options.buckets, logger: this.#options.logger }),
      uploads: new SqlUploads(scope, userId),
      audit: new SqlAudit(scope, userId),
      usage: new SqlUsage(scope, userId),
      toolCalls: new SqlToolCalls(scope, userId),
      routingDecisions: new SqlRoutingDecisions(scope, userId),
      sessions: new SqlSessions(scope, userId),
      workflows: new SqlWorkflows(scope, userId),
      quota: new SqlQuota(scope, userId),
    };
  }

  status(): StorageStatus {
    return {
      kind: this.kind,
      state: this.#health.state,
      journalBacklog: 0,
      journalReplayed: 0,
      location: this.#options.location ?? this.#options.client.location,
      lastError: this.#health.lastError,
    };
  }

  close(): Promise<void> {
    return this.#options.client.close();
  }

  #scope(userId: string | undefined): SqlScope {
    return new SqlScope({ client: this.#options.client, health: this.#health, userId, statementTimeoutMs: this.#options.statementTimeoutMs });
  }
}
