import { z } from 'zod';
import type { Storage, StorageStatus, UserStorage } from '../storage.js';
import { StorageConfigError } from '../storage-errors.js';
import { createSupabaseAudit, createSupabaseRoutingDecisions, createSupabaseSessions, createSupabaseToolCalls, createSupabaseUsage } from './supabase-activity.js';
import { SupabaseClients } from './supabase-clients.js';
import { createSupabaseConversations } from './supabase-conversations.js';
import { createSupabaseFiles } from './supabase-files.js';
import { SupabaseGateway, type GatewayState, type UserScope } from './supabase-gateway.js';
import { SupabaseHealth, trackedFetch, type SupabaseStorageLogger } from './supabase-health.js';
import { createSupabaseQuota } from './supabase-quota.js';
import { createSupabaseService } from './supabase-service.js';
import { createSupabaseUploads } from './supabase-uploads.js';
import { requireUuid } from './supabase-validation.js';
import { createSupabaseWorkflows } from './supabase-workflows.js';

/** Settings of {@link createSupabaseStorage}. */
export interface SupabaseStorageOptions {
  /** The project URL (`SUPABASE_URL`), `https://<project>.supabase.co`. */
  url: string;
  /** The service-role key (`SUPABASE_SERVICE_ROLE_KEY`): the service scope, and user scopes without `jwtSecret`. */
  serviceRoleKey: string;
  /**
   * The project's JWT secret (`SUPABASE_JWT_SECRET`, the legacy HS256 secret). With it, each user
   * scope signs its own short-lived token and Supabase's row-level security enforces the scope.
   */
  jwtSecret?: string;
  /** The anon key (`SUPABASE_ANON_KEY`), sent as `apikey` beside a user's token; the service key otherwise. */
  anonKey?: string;
  /** Replaces the global `fetch` (instrumentation, tests). */
  fetch?: typeof fetch;
  /** Reports when Supabase stops and starts answering; never given a key or token. */
  logger?: SupabaseStorageLogger;
  /** Longest wait for a PostgREST answer before the call fails as unavailable. Default 30 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

const environmentNames: Record<string, string> = {
  url: 'SUPABASE_URL',
  serviceRoleKey: 'SUPABASE_SERVICE_ROLE_KEY',
  jwtSecret: 'SUPABASE_JWT_SECRET',
  anonKey: 'SUPABASE_ANON_KEY',
  timeoutMs: 'timeoutMs',
};

const isHttpUrl = (value: string): boolean => {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
};

const settingsSchema = z.object({
  url: z.string().refine(isHttpUrl, 'must be an http(s) URL (https://<project>.supabase.co)'),
  serviceRoleKey: z.string().min(1, 'is required (Project Settings → API → service_role)'),
  // Supabase refuses JWT secrets shorter than 32 characters; a shorter one is not the project's.
  jwtSecret: z.string().min(32, "must be the project's JWT secret (at least 32 characters)").optional(),
  anonKey: z.string().min(1, 'must not be empty').optional(),
  timeoutMs: z.number().int().positive().optional(),
});

/** The settings, or a `StorageConfigError` naming each bad one by its variable (never its value: they are keys). */
function readSettings(options: SupabaseStorageOptions): z.infer<typeof settingsSchema> {
  const parsed = settingsSchema.safeParse({
    url: options.url,
    serviceRoleKey: options.serviceRoleKey,
    jwtSecret: options.jwtSecret,
    anonKey: options.anonKey,
    timeoutMs: options.timeoutMs,
  });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => ({ setting: environmentNames[String(issue.path[0])] ?? String(issue.path[0]), message: issue.message }));
  throw new StorageConfigError({
    setting: problems.map((problem) => problem.setting).join(', '),
    message: `invalid Supabase settings:\n${problems.map((problem) => `- ${problem.setting} ${problem.message}`).join('\n')}`,
  });
}

/**
 * Storage on a Supabase project through supabase-js: PostgREST for the tables (`public`, and
 * `monitoring` for metrics, which must be among the API's exposed schemas), Supabase Storage for
 * the bucket bytes, and the functions of `supabase/migrations/20261124000300_rpc.sql` for sums.
 *
 * Tenancy: with `jwtSecret`, a user scope sends a short-lived HS256 token it signs for that user
 * (`sub` the user, `role` and `aud` both `authenticated`, valid 10 minutes; one client and token
 * cached per user until a minute before expiry), so Supabase's own row-level security enforces the
 * scope. Without it, user scopes use the service-role key, which row-level security lets through,
 * so the adapter scopes every query by its owner column explicitly: filters on select, update and
 * delete, the owner set on insert, ownership checked before linking to a file. It sends the same
 * filters with a user's token too (they match what the policies allow, and lead with the owner as
 * the indexes do). The service scope always uses the service-role key. Keys and tokens are never
 * logged nor put in an error.
 *
 * Errors: unreachable, timed out, 5xx, 429 and PostgREST's connection errors →
 * `StorageUnavailableError` (what the journal wrapper takes as an outage); 401/403 → an `ExaiError`
 * coded `storage_access_denied`; see `mapPostgrestError` for the rest. `status()` reports `up` or
 * `down` by the last request.
 *
 * @example
 * const storage = createSupabaseStorage({ url: process.env.SUPABASE_URL, serviceRoleKey, jwtSecret, logger });
 * await storage.forUser(userId).conversations.appendMessage(continuationId, { role: 'user', content: 'Hi' });
 */
export function createSupabaseStorage(options: SupabaseStorageOptions): Storage {
  const settings = readSettings(options);
  const location = new URL(settings.url).host;
  const health = new SupabaseHealth(location, options.logger);
  const baseFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const clients = new SupabaseClients({
    url: settings.url,
    serviceRoleKey: settings.serviceRoleKey,
    jwtSecret: settings.jwtSecret,
    anonKey: settings.anonKey,
    fetch: trackedFetch(baseFetch, health),
    timeoutMs: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  const state: GatewayState = { closed: false };
  const service = createSupabaseService(new SupabaseGateway(clients.service, health, state));

  return {
    kind: 'supabase',

    forUser(userId: string): UserStorage {
      const ownerId = requireUuid(userId, 'userId');
      const scope: UserScope = { db: new SupabaseGateway(clients.forUser(ownerId), health, state), ownerId };
      return {
        userId: ownerId,
        conversations: createSupabaseConversations(scope),
        files: createSupabaseFiles(scope),
        uploads: createSupabaseUploads(scope),
        audit: createSupabaseAudit(scope.db, ownerId),
        usage: createSupabaseUsage(scope),
        toolCalls: createSupabaseToolCalls(scope),
        routingDecisions: createSupabaseRoutingDecisions(scope),
        sessions: createSupabaseSessions(scope),
        workflows: createSupabaseWorkflows(scope),
        quota: createSupabaseQuota(scope),
      };
    },

    service,

    status(): StorageStatus {
      return { kind: 'supabase', state: health.state, journalBacklog: 0, journalReplayed: 0, location, lastError: health.lastError };
    },

    async close(): Promise<void> {
      // Nothing is pending (every call awaits its request) and fetch holds no connection of ours.
      state.closed = true;
      clients.clear();
    },
  };
}
