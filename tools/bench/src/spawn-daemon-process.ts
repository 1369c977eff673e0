import { join } from 'node:path';
import { raisedLimitsEnv, simulatorProviderEnv, spawnDaemon, type DaemonPlace } from '@exai/harness';

/** The built exai-daemon running in its own process. */
export interface DaemonProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>/ws` */
  wsUrl: string;
  /** The static token it accepts (`Authorization: Bearer`, or `?token=` on `/ws`); empty for an anonymous daemon. */
  token: string;
  pid: number;
  stop: () => Promise<void>;
}

/** Static token of the benchmark's user (a long random-looking value, as the daemon requires). */
export const BENCH_TOKEN = 'bench-token-5f0c1e9a7d3b4c21a8e6f2d9b0c7a4e1';

/**
 * What every benchmarked daemon gets: the simulator's providers, memory storage under its working
 * directory, no dashboard, a short shutdown deadline, and admission limits raised so the benchmark
 * measures the daemon's path, not its refusals.
 */
export function benchDaemonEnv(sim: { glmBaseURL: string; kimiBaseURL: string }, place: DaemonPlace): Record<string, string> {
  return {
    ...simulatorProviderEnv(sim, 'bench'),
    EXAI_STORAGE: 'memory',
    EXAI_DATA_DIR: join(place.cwd, 'data'),
    EXAI_DASHBOARD: 'false',
    ...raisedLimitsEnv(),
    EXAI_SHUTDOWN_DEADLINE_MS: '1000',
  };
}

/**
 * Starts `apps/daemon/dist/main.js` with `env` (on top of nothing but PATH and its port) in a new
 * temporary folder, its stdout discarded and the last 8,000 characters of stderr kept (at `info` the
 * daemon logs every call); waits up to 30 s for `/healthz`. `stop()` sends SIGTERM and waits.
 */
export async function spawnBenchDaemon(env: (place: DaemonPlace) => Record<string, string>, token = ''): Promise<DaemonProcess> {
  const daemon = await spawnDaemon({
    env,
    tempPrefix: 'exai-bench-daemon-',
    readiness: [{ path: '/healthz', timeoutMs: 30_000 }],
    stderrLimit: 8_000,
    killAfterMs: Number.POSITIVE_INFINITY,
  });
  return {
    url: daemon.url,
    wsUrl: daemon.wsUrl,
    token,
    pid: daemon.pid,
    stop: async () => {
      await daemon.stop();
    },
  };
}

/**
 * The daemon against the simulator with a static token, the log level it ships with (`info`) unless
 * `logLevel` says otherwise. One user's calls share one session (the OpenAI face's `openai:<user>`),
 * so the session's in-flight cap is raised too (its 8 would queue a concurrency sweep).
 */
export function spawnDaemonProcess(sim: { glmBaseURL: string; kimiBaseURL: string }, options: { logLevel?: string } = {}): Promise<DaemonProcess> {
  return spawnBenchDaemon(
    (place) => ({
      ...benchDaemonEnv(sim, place),
      EXAI_WS_TOKEN: `bench=${BENCH_TOKEN}`,
      ...(options.logLevel ? { LOG_LEVEL: options.logLevel } : {}),
      EXAI_WS_SESSION_MAX_INFLIGHT: '5000',
    }),
    BENCH_TOKEN,
  );
}
