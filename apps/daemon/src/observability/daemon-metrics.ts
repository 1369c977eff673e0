import type { Router } from '@exai/router';
import type { StorageStatus } from '@exai/storage';
import type { ToolCallEvent, ToolCallObserver } from '@exai/tools';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AuthError } from '../auth/auth-error.js';
import type { Principal } from '../daemon-context.js';

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const knownTransports = ['websocket', 'http', 'legacy-websocket'];
const breakerValue: Record<string, number> = { closed: 0, 'half-open': 1, open: 2, isolated: 3 };

/** One finished call for the dashboard's "recent calls" (no arguments, no answers). */
export interface RecentCall {
  at: number;
  tool: string;
  status: string;
  durationMs: number;
  model?: string;
  provider?: string;
  costUsd?: number;
  errorCode?: string;
}

/**
 * The daemon's Prometheus metrics (prom-client, own registry): tool calls by tool and status, their
 * latency and error codes; routed calls, latency (whole call and each attempt), errors, retries and
 * fallbacks by provider and model; tokens and cost by provider and model; breaker states and
 * transitions; in-flight and queued calls, capacity refusals; sessions by transport; storage state
 * and journal backlog; refused connections and calls; auth outcomes; build info, draining and
 * uptime (see {@link DaemonMetrics.describeDaemon}); plus Node's default process metrics. Gauges
 * that mirror live state are read at scrape time.
 */
export class DaemonMetrics {
  readonly registry = new Registry();
  readonly toolCalls = new Counter({ name: 'exai_tool_calls_total', help: 'Tool calls by tool and status', labelNames: ['tool', 'status'], registers: [this.registry] });
  readonly toolLatency = new Histogram({ name: 'exai_tool_call_duration_seconds', help: 'Tool call duration', labelNames: ['tool'], buckets: latencyBuckets, registers: [this.registry] });
  readonly toolsInFlight = new Gauge({ name: 'exai_tool_calls_in_flight', help: 'Tool calls running now', registers: [this.registry] });
  readonly providerCalls = new Counter({ name: 'exai_provider_calls_total', help: 'Routed model calls by provider, model and outcome', labelNames: ['provider', 'model', 'outcome'], registers: [this.registry] });
  readonly providerErrors = new Counter({ name: 'exai_provider_errors_total', help: 'Failed provider attempts by provider, model and error code', labelNames: ['provider', 'model', 'code'], registers: [this.registry] });
  readonly providerLatency = new Histogram({ name: 'exai_provider_call_duration_seconds', help: 'Routed model call duration (retries and fallbacks included)', labelNames: ['provider', 'model'], buckets: latencyBuckets, registers: [this.registry] });
  readonly tokens = new Counter({ name: 'exai_tokens_total', help: 'Tokens by provider, model and kind', labelNames: ['provider', 'model', 'kind'], registers: [this.registry] });
  readonly cost = new Counter({ name: 'exai_cost_usd_total', help: 'Cost in USD by provider and model', labelNames: ['provider', 'model'], registers: [this.registry] });
  readonly fallbacks = new Counter({ name: 'exai_fallbacks_total', help: 'Calls moved to another model, by error code', labelNames: ['code'], registers: [this.registry] });
  readonly refused = new Counter({ name: 'exai_refused_total', help: 'Connections and calls refused by a limit', labelNames: ['limit'], registers: [this.registry] });
  /** Use {@link countAuth}, so every face labels alike. */
  readonly auth = new Counter({
    name: 'exai_auth_total',
    help: 'Authentication outcomes: method (jwt, jwks, static, anonymous; token or none when refused), outcome, and the refusal code',
    labelNames: ['method', 'outcome', 'code'],
    registers: [this.registry],
  });
  readonly gatewayRequests = new Counter({ name: 'exai_gateway_requests_total', help: 'OpenAI-compatible gateway requests by status', labelNames: ['status', 'stream'], registers: [this.registry] });
  readonly toolErrors = new Counter({ name: 'exai_tool_errors_total', help: 'Failed tool calls by tool and error code', labelNames: ['tool', 'code'], registers: [this.registry] });
  readonly providerAttempts = new Histogram({
    name: 'exai_provider_attempt_duration_seconds',
    help: 'Duration of single provider attempts (one HTTP call to a vendor) by provider, model and outcome',
    labelNames: ['provider', 'model', 'outcome'],
    buckets: latencyBuckets,
    registers: [this.registry],
  });
  readonly retries = new Counter({ name: 'exai_retries_total', help: 'Attempts retried on the same model, by provider, model and error code', labelNames: ['provider', 'model', 'code'], registers: [this.registry] });
  readonly breakerTransitions = new Counter({ name: 'exai_breaker_transitions_total', help: 'Circuit breaker state changes by kind, name and new state', labelNames: ['kind', 'name', 'state'], registers: [this.registry] });
  readonly rejected = new Counter({ name: 'exai_calls_rejected_total', help: 'Model calls refused for capacity (bulkhead and queue full), by scope', labelNames: ['scope'], registers: [this.registry] });
  readonly #recent: RecentCall[] = [];

  /**
   * Counts one authentication in `exai_auth_total`, labelled the same on every face: a success by
   * the principal's method; a refusal by whether a credential was presented (`token` or `none`) and
   * the refusal's code (`missing_token`, `expired_token`, … or `auth_error`).
   */
  countAuth(event: { principal: Principal } | { error: unknown; presented: boolean }): void {
    if ('principal' in event) {
      this.auth.inc({ method: event.principal.method, outcome: 'success' });
      return;
    }
    this.auth.inc({ method: event.presented ? 'token' : 'none', outcome: 'failure', code: AuthError.isInstance(event.error) ? event.error.code : 'auth_error' });
  }
  readonly #listeners = new Set<(call: RecentCall) => void>();

  constructor(sources: { router: Pick<Router, 'events' | 'status'>; storageStatus: () => StorageStatus; sessions: () => Record<string, number>; inFlight: () => number }) {
    // Default metrics keep their standard names under our prefix: exai_process_resident_memory_bytes, exai_nodejs_eventloop_lag_seconds …
    collectDefaultMetrics({ register: this.registry, prefix: 'exai_' });
    const { router } = sources;
    new Gauge({
      name: 'exai_breaker_state',
      help: 'Circuit breaker state (0 closed, 1 half-open, 2 open, 3 isolated) per key or model',
      labelNames: ['kind', 'name'],
      registers: [this.registry],
      collect() {
        this.reset();
        const status = router.status();
        for (const key of status.keys) this.set({ kind: 'key', name: key.label }, key.isolatedBy ? 3 : (breakerValue[key.breaker.state] ?? 0));
        for (const model of status.models) this.set({ kind: 'model', name: model.name }, breakerValue[model.state] ?? 0);
      },
    });
    bulkheadGauge(this.registry, router, 'exai_calls_in_flight', 'Model calls in flight per bulkhead', 'inFlight');
    bulkheadGauge(this.registry, router, 'exai_calls_queued', 'Model calls waiting for a slot per bulkhead', 'queued');
    new Gauge({
      name: 'exai_sessions',
      help: 'Open connections and sessions by transport',
      labelNames: ['transport'],
      registers: [this.registry],
      collect() {
        this.reset();
        // Known transports are always exported (0 when none is open), so dashboards and alerts see the series.
        for (const transport of knownTransports) this.set({ transport }, 0);
        for (const [transport, count] of Object.entries(sources.sessions())) this.set({ transport }, count);
      },
    });
    new Gauge({
      name: 'exai_storage_journal_backlog',
      help: 'Storage writes waiting in the journal for the database',
      registers: [this.registry],
      collect() {
        this.set(sources.storageStatus().journalBacklog);
      },
    });
    new Gauge({
      name: 'exai_storage_up',
      help: 'Storage state (1 up, 0.5 degraded: journaling, 0 down)',
      registers: [this.registry],
      collect() {
        const state = sources.storageStatus().state;
        this.set(state === 'up' ? 1 : state === 'degraded' ? 0.5 : 0);
      },
    });
    const inFlight = sources.inFlight;
    new Gauge({
      name: 'exai_work_in_flight',
      help: 'Tool calls and gateway requests running now (what shutdown waits for)',
      registers: [this.registry],
      collect() {
        this.set(inFlight());
      },
    });

    router.events.on('call', (event) => {
      const provider = event.provider ?? 'none';
      const model = event.model ?? 'none';
      this.providerCalls.inc({ provider, model, outcome: event.ok ? 'success' : (event.code ?? 'error') });
      this.providerLatency.observe({ provider, model }, event.durationMs / 1000);
      for (const attempt of event.attempts) {
        if (attempt.outcome === 'skipped') continue;
        this.providerAttempts.observe({ provider: attempt.provider, model: attempt.model, outcome: attempt.outcome === 'success' ? 'success' : 'error' }, attempt.durationMs / 1000);
        if (attempt.outcome !== 'success') this.providerErrors.inc({ provider: attempt.provider, model: attempt.model, code: attempt.code ?? 'unknown' });
      }
      const usage = event.totalUsage;
      if (event.provider && event.model) {
        this.tokens.inc({ provider, model, kind: 'input' }, usage.inputTokens ?? 0);
        this.tokens.inc({ provider, model, kind: 'output' }, usage.outputTokens ?? 0);
        if (usage.cachedInputTokens) this.tokens.inc({ provider, model, kind: 'cached_input' }, usage.cachedInputTokens);
        if (usage.reasoningTokens) this.tokens.inc({ provider, model, kind: 'reasoning' }, usage.reasoningTokens);
        this.cost.inc({ provider, model }, event.costUsd);
      }
    });
    router.events.on('fallback', (event) => this.fallbacks.inc({ code: event.code ?? 'unknown' }));
    router.events.on('retry', (event) => this.retries.inc({ provider: event.provider, model: event.model, code: event.code ?? 'unknown' }));
    router.events.on('breaker', (event) => this.breakerTransitions.inc({ kind: event.kind, name: event.name, state: event.state }));
    router.events.on('rejected', (event) => this.rejected.inc({ scope: event.scope }));
  }

  /**
   * Adds the daemon's identity and state: `exai_build_info{version, replica}` (always 1),
   * `exai_draining` (1 once shutdown has begun) and `exai_uptime_seconds`. Called once, by the
   * face that serves `/metrics`; a second call is a no-op.
   */
  describeDaemon(info: { version: string; replicaId: string; startedAt: Date; draining: () => boolean }): void {
    if (this.registry.getSingleMetric('exai_build_info')) return;
    new Gauge({ name: 'exai_build_info', help: 'exai-daemon version and replica (always 1)', labelNames: ['version', 'replica'], registers: [this.registry] }).set(
      { version: info.version, replica: info.replicaId },
      1,
    );
    new Gauge({
      name: 'exai_draining',
      help: '1 while the daemon is shutting down (no new connections or calls)',
      registers: [this.registry],
      collect() {
        this.set(info.draining() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'exai_uptime_seconds',
      help: 'Seconds since the daemon started',
      registers: [this.registry],
      collect() {
        this.set((Date.now() - info.startedAt.getTime()) / 1000);
      },
    });
  }

  /** The observer to give `createExaiMcpServer`. */
  toolObserver(): ToolCallObserver {
    return {
      started: () => this.toolsInFlight.inc(),
      finished: (event: ToolCallEvent) => {
        this.toolsInFlight.dec();
        this.toolCalls.inc({ tool: event.tool, status: event.status });
        this.toolLatency.observe({ tool: event.tool }, event.durationMs / 1000);
        if (event.status !== 'success') this.toolErrors.inc({ tool: event.tool, code: event.errorCode ?? event.status });
        this.remember({
          at: Date.now(),
          tool: event.tool,
          status: event.status,
          durationMs: event.durationMs,
          ...(event.metadata ? { model: event.metadata.model, provider: event.metadata.provider, costUsd: event.metadata.cost_usd } : {}),
          ...(event.errorCode ? { errorCode: event.errorCode } : {}),
        });
      },
    };
  }

  /** Adds a finished call to the recent list (the dashboard's), newest last, at most 200. */
  remember(call: RecentCall): void {
    this.#recent.push(call);
    if (this.#recent.length > 200) this.#recent.shift();
    for (const listener of this.#listeners) {
      try {
        listener(call);
      } catch {
        // A listener's failure must not fail the call being recorded.
      }
    }
  }

  /** Calls `listener` with each call added by {@link remember} (the dashboard's samples); returns the unsubscribe. */
  onCall(listener: (call: RecentCall) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Recent finished calls, newest first. */
  recentCalls(limit = 50): RecentCall[] {
    return this.#recent.slice(-limit).reverse();
  }

  /** The exposition text for `/metrics`. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * A gauge of one bulkhead figure per global and provider bulkhead; session bulkheads are summed as
 * scope="session",name="all" (one series per session id would be unbounded cardinality).
 */
function bulkheadGauge(registry: Registry, router: Pick<Router, 'status'>, name: string, help: string, figure: 'inFlight' | 'queued'): void {
  new Gauge({
    name,
    help: `${help} (global, provider; sessions summed as scope="session",name="all")`,
    labelNames: ['scope', 'name'],
    registers: [registry],
    collect() {
      this.reset();
      this.set({ scope: 'session', name: 'all' }, 0);
      for (const bulkhead of router.status().bulkheads) {
        if (bulkhead.scope === 'session') this.inc({ scope: 'session', name: 'all' }, bulkhead[figure]);
        else this.set({ scope: bulkhead.scope, name: bulkhead.name }, bulkhead[figure]);
      }
    },
  });
}
