import { hostname } from 'node:os';
import { selectTools, toolCatalogue } from '@exai/tools';
import type { DaemonContext } from '../daemon-context.js';
import { keyBreakerEntry, modelBreakerEntry, type BreakerEntry } from './breaker-entry.js';

/** One key's or model's circuit breaker in the health file (keys also name their provider: `glm`, `kimi`). */
export type HealthBreakerEntry = BreakerEntry & { provider?: string };

/**
 * The content of `logs/ws_daemon.health.json`: the original daemon's fields (`t`, `pid`, `host`,
 * `port`, `started_at`, `uptime_human`, `sessions`, `global_capacity`, `global_inflight`,
 * `tool_count`; times in epoch seconds as Python's `time.time()` wrote them, so the original shim's
 * freshness check reads them unchanged) plus the replica, draining, storage, providers and breakers.
 */
export interface HealthSnapshot {
  /** When this snapshot was taken, epoch seconds (with milliseconds). */
  t: number;
  pid: number;
  /** `EXAI_WS_HOST` (the bound address, as the original wrote it). */
  host: string;
  /** The machine's name. */
  hostname: string;
  port: number;
  /** Epoch seconds. */
  started_at: number;
  uptime_human: string;
  /** Open connections and MCP sessions of this replica. */
  sessions: number;
  sessions_by_transport: Record<string, number>;
  /** `EXAI_WS_GLOBAL_MAX_INFLIGHT`. */
  global_capacity: number;
  global_inflight: number;
  global_queued: number;
  tool_count: number;
  service: 'exai-daemon';
  version: string;
  replica_id: string;
  draining: boolean;
  storage: { kind: string; state: 'up' | 'degraded' | 'down'; journal_backlog: number };
  providers: Array<{ provider: string; configured: boolean }>;
  breakers: { keys: HealthBreakerEntry[]; models: HealthBreakerEntry[] };
}

/** The health file's content now. Cheap: reads in-memory state only. */
export function healthSnapshot(context: DaemonContext, toolCount: number): HealthSnapshot {
  const now = Date.now();
  const router = context.exai.router.status();
  const global = router.bulkheads.find((bulkhead) => bulkhead.scope === 'global');
  const storage = context.exai.storage.status();
  const sessions = context.sessions.size;
  const byTransport = context.sessions.countByTransport();
  return {
    t: now / 1000,
    pid: process.pid,
    host: context.config.host,
    hostname: hostname(),
    port: boundPort(context),
    started_at: context.startedAt.getTime() / 1000,
    uptime_human: formatUptime(now - context.startedAt.getTime()),
    sessions,
    sessions_by_transport: byTransport,
    global_capacity: global?.limit ?? 0,
    global_inflight: global?.inFlight ?? 0,
    global_queued: global?.queued ?? 0,
    tool_count: toolCount,
    service: 'exai-daemon',
    version: context.version,
    replica_id: context.config.replicaId,
    draining: context.draining,
    storage: { kind: storage.kind, state: storage.state, journal_backlog: storage.journalBacklog },
    providers: context.exai.providers.map((provider) => ({ provider: provider.provider, configured: provider.configured })),
    breakers: {
      keys: router.keys.map((key) => ({ ...keyBreakerEntry(key), provider: key.provider })),
      models: router.models.map(modelBreakerEntry),
    },
  };
}

/** `3d 4h 5m 6s`, leading zero units left out (`42s`, `5m 0s`). */
export function formatUptime(ms: number): string {
  let seconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (days > 0) return `${days}d ${hours}h ${minutes}m ${seconds}s`;
  if (hours > 0) return `${hours}h ${minutes}m ${seconds}s`;
  if (minutes > 0) return `${minutes}m ${seconds}s`;
  return `${seconds}s`;
}

/** The configured port, or the bound one when the configuration asked for any free port (0). */
function boundPort(context: DaemonContext): number {
  if (context.config.port !== 0 || context.config.publicUrl) return context.config.port;
  return Number(new URL(context.baseUrl()).port) || 0;
}

/** How many tools a session is served (the profile's, adjusted by ENABLED_TOOLS / DISABLED_TOOLS). */
export function servedToolCount(context: DaemonContext): number {
  return selectTools(toolCatalogue, context.config.exai.tools).tools.length;
}
