import type { RouterStatus } from '@exai/router';
import type { DaemonContext } from '../daemon-context.js';
import { keyBreakerEntry, modelBreakerEntry, type BreakerEntry } from '../observability/breaker-entry.js';
import { formatUptime } from '../observability/health-snapshot.js';
import { percentile, type DashboardSample, type DashboardSampler } from './dashboard-sampler.js';

/** A key's or model's breaker as the dashboard shows it: a key also with its calls in flight and rate-limit pause. */
export type DashboardBreaker = BreakerEntry & { in_flight?: number; rate_limited_for_ms?: number };

/** One provider's card. */
export interface DashboardProvider {
  provider: string;
  configured: boolean;
  /** The provider's bulkhead (`EXAI_WS_<PROVIDER>_MAX_INFLIGHT`). */
  in_flight: number;
  queued: number;
  limit: number | null;
  keys: DashboardBreaker[];
  models: DashboardBreaker[];
}

/** A finished call in the recent-calls table (no arguments, no answers, no user). */
export interface DashboardCall {
  at: number;
  tool: string;
  status: string;
  duration_ms: number;
  model: string | null;
  provider: string | null;
  cost_usd: number | null;
  error_code: string | null;
}

/** `GET /api/dashboard`. */
export interface DashboardState {
  service: 'exai-daemon';
  version: string;
  replica_id: string;
  /** Epoch ms. */
  now: number;
  started_at: string;
  uptime_s: number;
  uptime_human: string;
  draining: boolean;
  storage: { kind: string; state: string; journal_backlog: number; journal_replayed: number; last_error: string | null };
  providers: DashboardProvider[];
  load: {
    /** Tool calls and gateway requests running now. */
    calls_in_flight: number;
    /** Model calls holding a global slot, of `global_capacity`. */
    model_calls_in_flight: number;
    global_capacity: number | null;
    /** Model calls waiting for a slot (every bulkhead). */
    queued: number;
    sessions: { total: number; by_transport: Record<string, number> };
    requests_per_second: number;
  };
  /** Percentiles of the most recent calls (up to 200). */
  latency: { p50_ms: number | null; p95_ms: number | null; calls: number };
  totals: { calls: number; errors: number; cost_usd: number };
  series: { interval_ms: number; samples: DashboardSample[] };
  recent: DashboardCall[];
}

/** Model calls waiting in any bulkhead (a call waits in one at a time, so the sum counts calls). */
export function queuedCalls(status: Pick<RouterStatus, 'bulkheads'>): number {
  return status.bulkheads.reduce((sum, bulkhead) => sum + bulkhead.queued, 0);
}

/** Everything the dashboard page shows, from in-memory state only. */
export function dashboardState(context: DaemonContext, sampler: DashboardSampler, modelProvider: ReadonlyMap<string, string>): DashboardState {
  const now = Date.now();
  const router = context.exai.router.status();
  const storage = context.exai.storage.status();
  const sessions = context.sessions.size;
  const byTransport = context.sessions.countByTransport();
  const global = router.bulkheads.find((bulkhead) => bulkhead.scope === 'global');
  const recent = context.metrics.recentCalls(200);
  const durations = recent.map((call) => call.durationMs).sort((a, b) => a - b);
  const names = new Set([...context.exai.providers.map((provider) => provider.provider), ...router.keys.map((key) => key.provider)]);
  const configured = new Map(context.exai.providers.map((provider) => [provider.provider, provider.configured]));
  const providers = [...names].map((name): DashboardProvider => {
    const bulkhead = router.bulkheads.find((entry) => entry.scope === 'provider' && entry.name === name);
    return {
      provider: name,
      configured: configured.get(name) ?? true,
      in_flight: bulkhead?.inFlight ?? 0,
      queued: bulkhead?.queued ?? 0,
      limit: bulkhead?.limit ?? null,
      keys: router.keys
        .filter((key) => key.provider === name)
        .map((key) => ({ ...keyBreakerEntry(key), in_flight: key.inFlight, ...(key.rateLimitedForMs ? { rate_limited_for_ms: key.rateLimitedForMs } : {}) })),
      models: router.models
        .filter((model) => modelProvider.get(model.name) === name)
        .map(modelBreakerEntry),
    };
  });
  return {
    service: 'exai-daemon',
    version: context.version,
    replica_id: context.config.replicaId,
    now,
    started_at: context.startedAt.toISOString(),
    uptime_s: Math.round((now - context.startedAt.getTime()) / 1000),
    uptime_human: formatUptime(now - context.startedAt.getTime()),
    draining: context.draining,
    storage: { kind: storage.kind, state: storage.state, journal_backlog: storage.journalBacklog, journal_replayed: storage.journalReplayed, last_error: storage.lastError ?? null },
    providers,
    load: {
      calls_in_flight: context.inFlight.count,
      model_calls_in_flight: global?.inFlight ?? 0,
      global_capacity: global?.limit ?? null,
      queued: queuedCalls(router),
      sessions: { total: sessions, by_transport: byTransport },
      requests_per_second: sampler.rate(),
    },
    latency: { p50_ms: percentile(durations, 0.5), p95_ms: percentile(durations, 0.95), calls: durations.length },
    totals: sampler.totals(),
    series: { interval_ms: sampler.intervalMs, samples: sampler.samples() },
    recent: context.metrics.recentCalls(50).map((call) => ({
      at: call.at,
      tool: call.tool,
      status: call.status,
      duration_ms: call.durationMs,
      model: call.model ?? null,
      provider: call.provider ?? null,
      cost_usd: call.costUsd ?? null,
      error_code: call.errorCode ?? null,
    })),
  };
}
