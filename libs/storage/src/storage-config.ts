import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { StorageConfigError } from './storage-errors.js';
import type { StorageKind } from './storage.js';

/** Storage settings, resolved from the environment by {@link readStorageConfig} or given directly. */
export type StorageConfig =
  | { kind: 'memory' }
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'postgres'; dataDir: string; connectionString: string; poolSize?: number; migrate: boolean }
  | { kind: 'supabase'; dataDir: string; url: string; serviceRoleKey: string; jwtSecret?: string; anonKey?: string };

const kinds: readonly StorageKind[] = ['pglite', 'postgres', 'supabase', 'memory'];

/** `~/.exai`, or `EXAI_DATA_DIR`. */
export function defaultDataDir(env: Record<string, string | undefined> = process.env): string {
  const configured = env['EXAI_DATA_DIR']?.trim();
  if (!configured) return join(homedir(), '.exai');
  return resolve(configured.startsWith('~/') ? join(homedir(), configured.slice(2)) : configured);
}

const text = (env: Record<string, string | undefined>, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value ? value : undefined;
};

/**
 * Reads `EXAI_STORAGE` (`pglite` by default, `postgres`, `supabase`, `memory`) and what the chosen
 * adapter needs: `EXAI_DATA_DIR` (default `~/.exai`: PGlite's data, bucket files, the journal),
 * `DATABASE_URL` (+ `EXAI_DB_POOL_SIZE`, `EXAI_DB_MIGRATE`), `SUPABASE_URL`,
 * `SUPABASE_SERVICE_ROLE_KEY` (+ `SUPABASE_JWT_SECRET` for per-user row-level security, `SUPABASE_ANON_KEY`). Every problem is reported at once, each
 * naming its setting, in one `StorageConfigError`.
 */
export function readStorageConfig(env: Record<string, string | undefined> = process.env): StorageConfig {
  const requested = (text(env, 'EXAI_STORAGE') ?? 'pglite').toLowerCase();
  if (!kinds.includes(requested as StorageKind)) {
    throw new StorageConfigError({ setting: 'EXAI_STORAGE', message: `must be one of ${kinds.join(', ')}; got "${requested}"` });
  }
  const kind = requested as StorageKind;
  if (kind === 'memory') return { kind };
  const dataDir = defaultDataDir(env);
  if (kind === 'pglite') return { kind, dataDir };
  const problems: Array<{ setting: string; message: string }> = [];
  if (kind === 'postgres') {
    const connectionString = text(env, 'DATABASE_URL');
    if (!connectionString) problems.push({ setting: 'DATABASE_URL', message: 'is required with EXAI_STORAGE=postgres (postgres://user:password@host:5432/database)' });
    else if (!/^postgres(ql)?:\/\//.test(connectionString)) problems.push({ setting: 'DATABASE_URL', message: 'must start with postgres:// or postgresql://' });
    const poolText = text(env, 'EXAI_DB_POOL_SIZE');
    const poolSize = poolText === undefined ? undefined : Number(poolText);
    if (poolSize !== undefined && !(Number.isInteger(poolSize) && poolSize >= 1)) problems.push({ setting: 'EXAI_DB_POOL_SIZE', message: `must be a positive integer; got "${poolText}"` });
    const migrateText = (text(env, 'EXAI_DB_MIGRATE') ?? 'true').toLowerCase();
    if (!['true', 'false'].includes(migrateText)) problems.push({ setting: 'EXAI_DB_MIGRATE', message: `must be true or false; got "${migrateText}"` });
    if (problems.length === 0) {
      return { kind, dataDir, connectionString: connectionString as string, migrate: migrateText === 'true', ...(poolSize === undefined ? {} : { poolSize }) };
    }
  } else {
    const url = text(env, 'SUPABASE_URL');
    const serviceRoleKey = text(env, 'SUPABASE_SERVICE_ROLE_KEY');
    if (!url) problems.push({ setting: 'SUPABASE_URL', message: 'is required with EXAI_STORAGE=supabase (https://<project>.supabase.co)' });
    else if (!/^https?:\/\//.test(url)) problems.push({ setting: 'SUPABASE_URL', message: 'must be an http(s) URL' });
    if (!serviceRoleKey) problems.push({ setting: 'SUPABASE_SERVICE_ROLE_KEY', message: 'is required with EXAI_STORAGE=supabase (Project Settings → API → service_role)' });
    if (problems.length === 0) {
      const jwtSecret = text(env, 'SUPABASE_JWT_SECRET');
      const anonKey = text(env, 'SUPABASE_ANON_KEY');
      return { kind, dataDir, url: url as string, serviceRoleKey: serviceRoleKey as string, ...(jwtSecret ? { jwtSecret } : {}), ...(anonKey ? { anonKey } : {}) };
    }
  }
  throw new StorageConfigError({
    setting: problems.map((problem) => problem.setting).join(', '),
    message: `invalid storage settings:\n${problems.map((problem) => `- ${problem.setting} ${problem.message}`).join('\n')}`,
  });
}
