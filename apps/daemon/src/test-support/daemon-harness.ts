import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startSimulator, type Simulator } from '@exai/provider-sim';
import { pino, type Logger } from 'pino';
import { startDaemon, type Daemon, type StartDaemonOptions } from '../create-daemon.js';
import { loadDaemonConfig } from '../daemon-config.js';

/** A JWT secret for tests (HS256 needs ≥ 32 characters). */
export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';
/** A static token for tests (`EXAI_WS_TOKEN=alice=<this>`). */
export const TEST_STATIC_TOKEN = 'alice-static-token-0123456789abcdef';

/** A daemon started in this process against a simulator, with its log lines kept for assertions. */
export interface TestDaemon {
  daemon: Daemon;
  sim: Simulator;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  logs: string[];
  logger: Logger;
  /** Stops the daemon and (unless it was passed in) the simulator. */
  close(): Promise<void>;
}

/**
 * Starts exai-daemon on a free loopback port with memory storage, the simulator's GLM and Kimi,
 * static token `alice` and an HS256 secret, plus any `env` overrides (they win).
 */
export async function startTestDaemon(env: Record<string, string> = {}, options: StartDaemonOptions & { sim?: Simulator } = {}): Promise<TestDaemon> {
  const sim = options.sim ?? (await startSimulator());
  const cwd = mkdtempSync(join(tmpdir(), 'exai-daemon-'));
  const config = loadDaemonConfig(
    {
      GLM_API_KEY: 'sim-glm-key',
      GLM_BASE_URL: sim.glmBaseURL,
      KIMI_API_KEY: 'sim-kimi-key',
      KIMI_BASE_URL: sim.kimiBaseURL,
      EXAI_RETRY_INITIAL_DELAY_MS: '10',
      EXAI_STORAGE: 'memory',
      EXAI_DATA_DIR: join(cwd, 'data'),
      EXAI_ALLOWED_ROOTS: tmpdir(),
      EXAI_WS_HOST: '127.0.0.1',
      EXAI_WS_PORT: '0',
      EXAI_WS_TOKEN: `alice=${TEST_STATIC_TOKEN}`,
      EXAI_JWT_SECRET: TEST_JWT_SECRET,
      EXAI_HEALTH_FILE: join(cwd, 'logs', 'ws_daemon.health.json'),
      LOG_LEVEL: 'debug',
      ...env,
    },
    cwd,
  );
  const logs: string[] = [];
  const logger = options.logger ?? pino({ level: 'debug' }, new Writable({ write: (chunk, _encoding, done) => (logs.push(String(chunk)), done()) }));
  const daemon = await startDaemon(config, { ...options, logger });
  return {
    daemon,
    sim,
    url: daemon.url,
    wsUrl: daemon.url.replace(/^http/, 'ws'),
    logs,
    logger,
    close: async () => {
      await daemon.stop('test finished');
      if (!options.sim) await sim.close();
    },
  };
}
