import type { Provider } from '@exai/router/spec';
import type { TimeoutLayer } from '@exai/resilience';
import type { AiManagerOptions } from './ai-manager.js';
import type { ProviderSetup, RouterLogger } from './model-access.js';
import type { ModelRegistry } from './model-registry.js';

/** Retry settings of the router: how often one model is tried again before the call falls back. */
export interface RouterRetryOptions {
  /** Retries after the first attempt, per model. Default 3. */
  maxAttempts?: number;
  /** Bound of the first backoff delay (full jitter). Default 500. */
  initialDelayMs?: number;
  /** Cap of the exponential bound. Default 8000. A longer retry-after still wins. */
  maxDelayMs?: number;
  /** A vendor asking to wait longer than this is not retried: the call falls back at once. Default 30000. */
  maxRetryAfterMs?: number;
}

/** When a call moves on to the next model of its chain. */
export interface RouterFallbackOptions {
  /** Give an explicitly named model a fallback chain (same tier, cheapest first). Default true. */
  explicitModels?: boolean;
  /** Move a content-filtered call (error or `content-filter` finish) to the other provider. Default true. */
  onContentFilter?: boolean;
  /** Most moves to another model per call (skipped open targets do not count). Default 3. */
  maxHops?: number;
}

/** Concurrency limits (bulkheads). Over them, calls queue; a full queue or a long wait gives `OverCapacityError`. */
export interface RouterLimits {
  /** Calls in flight over the whole router (`EXAI_WS_GLOBAL_MAX_INFLIGHT`). Default 24. */
  globalInFlight?: number;
  /** Calls in flight per `RoutedCall.session` (`EXAI_WS_SESSION_MAX_INFLIGHT`). Default 8. */
  sessionInFlight?: number;
  /** Attempts in flight per provider, all keys together (`EXAI_WS_GLM_MAX_INFLIGHT`, …). Default glm 4, kimi 6, others 4. */
  providerInFlight?: Partial<Record<string, number>>;
  /** Calls that may wait for a slot in each bulkhead. Default 32. */
  queue?: number;
  /** Longest wait for a slot, in ms. Default 15000. */
  queueTimeoutMs?: number;
}

/** Circuit breakers, one per provider key and one per model (LiteLLM's cooldown defaults). */
export interface RouterBreakerOptions {
  /** Opens after this many failures in a row. Default 3. */
  consecutiveFailures?: number;
  /** Opens when at least this share of the calls in the window failed. Default 0.5. */
  failureRate?: number;
  /** Fewest calls in the window before the failure rate counts. Default 5. */
  minimumRequests?: number;
  /** Sampling window, in ms. Default 60000. */
  samplingDurationMs?: number;
  /** Cooldown before a probe call, in ms. Default 5000. */
  halfOpenAfterMs?: number;
}

/** Settings of `createRouter`. */
export interface RouterOptions {
  /** The model registry. Default `createModelRegistry()` (the built-in models). */
  registry?: ModelRegistry;
  /**
   * Configured providers by id, one `Provider` per API key: `{ glm: createGlm({ apiKey }) }` or
   * `{ glm: [createGlm({ apiKey: a }), createGlm({ apiKey: b })] }`. A provider without a key is left out.
   */
  providers: Partial<Record<string, Provider | readonly Provider[]>>;
  /** Per provider: the environment variables named in error messages. Default `<PROVIDER>_API_KEY`. */
  providerSetup?: Record<string, ProviderSetup>;
  /** Per provider: the models (ids or aliases) that may be used. Absent or empty: all. */
  allowedModels?: Partial<Record<string, string[] | undefined>>;
  /** The model for calls that name none: an id, an alias, or `auto` (automatic selection). Default `glm-4.5-flash`. */
  defaultModel?: string;
  retry?: RouterRetryOptions;
  /** Time limit of one attempt (for streams: until the first content part), in ms. Default 120000. */
  attemptTimeoutMs?: number;
  /**
   * Time limit of a whole call, retries, backoff and fallbacks included (for streams: until the first
   * content part), in ms. At least 1.5 × `attemptTimeoutMs`. Default 2.5 × `attemptTimeoutMs`.
   */
  callTimeoutMs?: number;
  /** Longest silence between stream parts after the first one, in ms. Default 60000; 0 disables. */
  streamIdleTimeoutMs?: number;
  /** Candidates whose estimated cost (USD) is above this are left out (`EXAI_MAX_COST_PER_REQUEST`). Default: no cap. */
  maxCostPerRequestUsd?: number;
  fallback?: RouterFallbackOptions;
  /** Optional task classification by a fast model (`ROUTER_AI_MANAGER`). Default disabled. */
  aiManager?: AiManagerOptions;
  limits?: RouterLimits;
  breakers?: RouterBreakerOptions;
  /** How long a revoked or exhausted key stays out of rotation, in ms. Default 300000. */
  keyIsolationMs?: number;
  logger?: RouterLogger;
}

/** Defaults of {@link RouterOptions}. */
export const routerDefaults = {
  defaultModel: 'glm-4.5-flash',
  attemptTimeoutMs: 120_000,
  /** `callTimeoutMs` defaults to this × `attemptTimeoutMs`. */
  callTimeoutFactor: 2.5,
  streamIdleTimeoutMs: 60_000,
  retry: { maxAttempts: 3, initialDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 30_000 },
  fallback: { explicitModels: true, onContentFilter: true, maxHops: 3 },
  limits: { globalInFlight: 24, sessionInFlight: 8, providerInFlight: { glm: 4, kimi: 6 } as Record<string, number>, otherProviderInFlight: 4, queue: 32, queueTimeoutMs: 15_000 },
  breakers: { consecutiveFailures: 3, failureRate: 0.5, minimumRequests: 5, samplingDurationMs: 60_000, halfOpenAfterMs: 5_000 },
  keyIsolationMs: 300_000,
} as const;

/** Names of the router's timeout settings, innermost first (for `validateTimeoutHierarchy`). */
export const routerTimeoutSettings = ['attemptTimeoutMs', 'callTimeoutMs'] as const;

/**
 * The router's two timeouts with defaults applied, innermost first, as `@exai/resilience` timeout
 * layers. Pass the names your configuration uses so a violation names them.
 *
 * @example
 * validateTimeoutHierarchy([
 *   ...routerTimeoutLayers(options, { attemptTimeoutMs: 'EXAI_ATTEMPT_TIMEOUT_MS', callTimeoutMs: 'EXAI_CALL_TIMEOUT_MS' }),
 *   { setting: 'EXAI_TOOL_TIMEOUT_MS', ms: toolTimeoutMs },
 * ]);
 */
export function routerTimeoutLayers(
  options: Pick<RouterOptions, 'attemptTimeoutMs' | 'callTimeoutMs'>,
  names: Partial<Record<(typeof routerTimeoutSettings)[number], string>> = {},
): [attempt: TimeoutLayer, call: TimeoutLayer] {
  const attemptTimeoutMs = options.attemptTimeoutMs ?? routerDefaults.attemptTimeoutMs;
  const callTimeoutMs = options.callTimeoutMs ?? attemptTimeoutMs * routerDefaults.callTimeoutFactor;
  return [
    { setting: names.attemptTimeoutMs ?? 'attemptTimeoutMs', ms: attemptTimeoutMs },
    { setting: names.callTimeoutMs ?? 'callTimeoutMs', ms: callTimeoutMs },
  ];
}
