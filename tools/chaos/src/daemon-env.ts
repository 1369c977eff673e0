import { randomBytes } from 'node:crypto';
import { simulatorProviderEnv, spawnDaemon, type DaemonProcess } from '@exai/harness';
import { signHs256Token } from './hs256-token.js';

/** Where a daemon keeps its records. */
export type StorageTarget = { kind: 'memory' } | { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string; dataDir: string };

/** The environment of a daemon in front of the simulator, with JWT authentication and the given storage. */
export function daemonEnv(options: { glmBaseURL: string; kimiBaseURL: string; storage: StorageTarget; jwtSecret: string; logLevel?: string; extra?: Record<string, string> }): Record<string, string> {
  const storage: Record<string, string> =
    options.storage.kind === 'memory'
      ? { EXAI_STORAGE: 'memory' }
      : options.storage.kind === 'pglite'
        ? { EXAI_STORAGE: 'pglite', EXAI_DATA_DIR: options.storage.dataDir }
        : { EXAI_STORAGE: 'postgres', DATABASE_URL: options.storage.url, EXAI_DATA_DIR: options.storage.dataDir };
  return {
    ...simulatorProviderEnv(options, 'chaos'),
    EXAI_JWT_SECRET: options.jwtSecret,
    LOG_LEVEL: options.logLevel ?? 'error',
    ...storage,
    ...options.extra,
  };
}

/**
 * Starts the built daemon with `env` (a {@link daemonEnv}) and waits for `/readyz`: its working
 * directory (default: a new temporary one) is also its `HOME`, it listens on 127.0.0.1 only, and
 * nothing of the runner's environment but `PATH` reaches it (no `.env` applies).
 */
export function spawnChaosDaemon(env: Record<string, string>, cwd?: string): Promise<DaemonProcess> {
  return spawnDaemon({ env: (place) => ({ HOME: place.cwd, EXAI_WS_HOST: '127.0.0.1', ...env }), tempPrefix: 'exai-chaos-daemon-', ...(cwd ? { cwd } : {}) });
}

/** A random HS256 secret for one run. */
export function randomJwtSecret(): string {
  return randomBytes(32).toString('hex');
}

/** The storage user of simulated client `index` (a UUID, so the JWT subject is the user). */
export function clientUserId(index: number, run = 0): string {
  return `00000000-0000-4000-8${String(run % 1000).padStart(3, '0')}-${String(index).padStart(12, '0')}`;
}

/** A token for simulated client `index`. */
export function clientToken(secret: string, index: number, run = 0): string {
  return signHs256Token({ secret, subject: clientUserId(index, run), ttlSeconds: 24 * 3600 });
}

/** A loopback address of its own for each of `addresses` simulated machines (`127.1.x.y`); client `index` uses `index % addresses`. */
export function clientAddress(index: number, addresses: number): string {
  const slot = (index % addresses) + 1;
  return `127.${1 + (slot >> 16)}.${(slot >> 8) & 255}.${slot & 255}`;
}
