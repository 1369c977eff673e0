import { join } from 'node:path';
import { simulatorProviderEnv, spawnDaemon, type SimulatorProcess } from '@exai/harness';

/** The built exai-daemon running as a child process. */
export interface DaemonProcess {
  /** `http://127.0.0.1:<port>/mcp` */
  mcpUrl: string;
  /** What the daemon wrote to stderr (its log at `LOG_LEVEL=warn`). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts `apps/daemon/dist/main.js` on a free loopback port: memory storage, anonymous callers
 * (loopback only), the simulator's GLM and Kimi, the conformance fixtures when asked. Waits (30 s at
 * most) for `/healthz`; `stop()` sends SIGTERM, then SIGKILL after 5 s. The process gets only these
 * variables (and PATH), so a developer's `.env` or shell cannot change what is measured: its working
 * directory is a fresh temporary folder.
 */
export async function spawnConformanceDaemon(sim: SimulatorProcess, options: { fixtures: boolean }): Promise<DaemonProcess> {
  const daemon = await spawnDaemon({
    env: ({ cwd }) => ({
      ...simulatorProviderEnv(sim, 'conformance'),
      EXAI_STORAGE: 'memory',
      EXAI_DATA_DIR: join(cwd, 'data'),
      EXAI_WS_HOST: '127.0.0.1',
      EXAI_ALLOW_ANONYMOUS: 'true',
      EXAI_DASHBOARD: 'false',
      EXAI_CONFORMANCE_FIXTURES: String(options.fixtures),
      EXAI_SHUTDOWN_DEADLINE_MS: '1000',
      LOG_LEVEL: 'warn',
    }),
    tempPrefix: 'exai-conformance-',
    readiness: [{ path: '/healthz', timeoutMs: 30_000 }],
    killAfterMs: 5_000,
  });
  return {
    mcpUrl: `${daemon.url}/mcp`,
    stderr: () => daemon.stderr(),
    stop: async () => {
      await daemon.stop();
    },
  };
}
