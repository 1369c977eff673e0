import {
  ContentFilteredError,
  ProviderError,
  ProviderTimeoutError,
  type ChatModel,
  type ChatRequest,
  type ModelInfo,
  type Usage,
} from '@exai/router/spec';
import { CircuitOpenError, RetryAfterBackoff, TimeoutExceededError, type BreakerTicket, type CircuitBreaker } from '@exai/resilience';
import { toOverCapacity, type CallLimits } from './call-limits.js';
import type { RouterLogger } from './model-access.js';
import type { Candidate, RoutePlan } from './plan-route.js';
import type { PreparedRequest } from './prepare-request.js';
import type { ProviderKey, ProviderKeyPool } from './provider-keys.js';
import { OverCapacityError } from './router-errors.js';
import type { AttemptOutcome, AttemptRecord, RouterEventHub } from './router-events.js';
import { delay, withDeadline, withTimeLimit } from './with-deadline.js';

/** Settings the executor reads on every call (defaults applied). */
export interface ExecutorSettings {
  maxAttempts: number;
  maxRetryAfterMs: number;
  attemptTimeoutMs: number;
  callTimeoutMs: number;
  onContentFilter: boolean;
  maxHops: number;
  keyIsolationMs: number;
}

/** The state of one routed call, shared by its attempts. */
export interface CallState {
  readonly request: ChatRequest;
  readonly plan: RoutePlan;
  readonly signal: AbortSignal | undefined;
  readonly headers: Record<string, string> | undefined;
  /** Estimated input tokens (for `prepareRequest`'s context clamp). */
  readonly inputTokens: number;
  readonly started: number;
  /** `performance.now()` past which no attempt starts (the whole-call timeout). */
  readonly deadline: number;
  /** The explicit model's prepared request, made before planning (it may throw a capability error). */
  readonly prepared: PreparedRequest | undefined;
  readonly attemptLog: AttemptRecord[];
  attempts: number;
  costUsd: number;
  totalUsage: Usage | undefined;
  /** The model and key of the last attempt. */
  model: ModelInfo | undefined;
  key: ProviderKey | undefined;
}

/** A successful attempt. `release` frees its provider slot (a stream calls it when it ends). */
export interface Answer<T> {
  value: T;
  info: ModelInfo;
  key: ProviderKey;
  prepared: PreparedRequest;
  release: () => void;
}

/**
 * Sends one attempt. `signal` aborts it (the attempt deadline and the caller's signal), or is undefined
 * when the caller gave none to a generate call: then `timeoutMs` is the provider's time limit and the
 * router's own timer bounds the attempt.
 */
export type Send<T> = (model: ChatModel, request: ChatRequest, signal: AbortSignal | undefined, state: CallState, timeoutMs: number) => Promise<T>;

/** Looks at an answer; returns an error when it should be treated as a failure (a content-filtered result). */
export type Inspect<T> = (value: T, info: ModelInfo, state: CallState) => ProviderError | undefined;

/** Why a target was left, and which candidates fit next. */
interface Leave<T> {
  kind: 'leave';
  error: unknown;
  code: string | undefined;
  /** No call was made (breaker open, no provider slot): does not count as a hop. */
  skip: boolean;
  need: 'larger-window' | 'other-provider' | undefined;
  preferOtherProvider: boolean;
  /** A content-filtered answer kept in case no other provider can take the call. */
  answer?: Answer<T>;
}

type TargetOutcome<T> = { kind: 'answer'; answer: Answer<T> } | Leave<T>;

const neverAborted = new AbortController().signal;
const noop = (): void => undefined;

/** Error code of anything an attempt can throw. */
export const codeOf = (error: unknown): string | undefined =>
  ProviderError.isInstance(error)
    ? error.code
    : TimeoutExceededError.isInstance(error)
      ? 'timeout'
      : CircuitOpenError.isInstance(error)
        ? 'breaker_open'
        : OverCapacityError.isInstance(error)
          ? 'over_capacity'
          : undefined;

/** Whether an error counts against a breaker: the target's failures, not the request's. */
export const isBreakerFailure = (error: unknown): boolean =>
  TimeoutExceededError.isInstance(error) ||
  (ProviderError.isInstance(error) && (error.code === 'provider_unavailable' || error.code === 'timeout' || error.code === 'rate_limited'));

// The first usage is kept as it is (no copy: most calls have one attempt); later ones make a new sum.
const addUsage = (total: Usage | undefined, usage: Usage): Usage =>
  total === undefined
    ? usage
    : {
        inputTokens: total.inputTokens + usage.inputTokens,
        cachedInputTokens: total.cachedInputTokens + usage.cachedInputTokens,
        outputTokens: total.outputTokens + usage.outputTokens,
        reasoningTokens: total.reasoningTokens + usage.reasoningTokens,
        totalTokens: total.totalTokens + usage.totalTokens,
      };

/** Adds an attempt's usage and cost to the call's totals. */
export function account(state: CallState, usage: Usage, costUsd: number): void {
  state.totalUsage = addUsage(state.totalUsage, usage);
  state.costUsd += costUsd;
}

/**
 * Runs a planned call: per target, attempts with retries (backoff honouring retry-after) under the
 * attempt and call deadlines, through the key's and the model's breakers and the provider's
 * bulkhead; then falls back along the chain by failure kind. Built once per router; all per-call
 * state lives in {@link CallState}.
 */
export class RouteExecutor {
  private readonly backoff: RetryAfterBackoff;

  constructor(
    /** Names of breakers that are not closed; empty in the healthy steady state, which skips every per-target check. */
    private readonly unhealthy: ReadonlySet<string>,
    private readonly pools: ReadonlyMap<string, ProviderKeyPool>,
    private readonly modelBreakers: ReadonlyMap<string, CircuitBreaker>,
    private readonly limits: CallLimits,
    private readonly events: RouterEventHub,
    private readonly settings: ExecutorSettings,
    retry: { initialDelayMs: number; maxDelayMs: number },
    private readonly prepare: (info: ModelInfo, request: ChatRequest, inputTokens: number) => PreparedRequest,
    private readonly logger: RouterLogger | undefined,
  ) {
    this.backoff = new RetryAfterBackoff({
      initialDelayMs: retry.initialDelayMs,
      maxDelayMs: retry.maxDelayMs,
      retryAfterMs: (error) => (ProviderError.isInstance(error) ? error.retryAfterMs : undefined),
    });
  }

  /** Why a model cannot take calls now (its breaker, or every key of its provider), or undefined. */
  blockedReason(info: ModelInfo): string | undefined {
    if (this.unhealthy.size === 0) return undefined;
    const breaker = this.modelBreakers.get(info.id);
    if (breaker?.isOpen()) return `its breaker is ${breaker.state}`;
    return this.pools.get(info.provider)?.blockedReason();
  }

  /** Runs the call along its chain; resolves with the first answer or rejects with the error that ended it. */
  async run<T>(state: CallState, send: Send<T>, options: { hold: boolean; inspect?: Inspect<T> }): Promise<Answer<T>> {
    const tried: Candidate[] = [];
    let current: Candidate | undefined = state.plan.first;
    let hops = 0;
    while (current) {
      tried.push(current);
      const outcome: TargetOutcome<T> = await this.tryTarget(state, current, tried, send, options.hold, options.inspect);
      if (outcome.kind === 'answer') return outcome.answer;
      const next: Candidate | undefined = outcome.skip || hops < this.settings.maxHops ? this.next(state.plan.candidates, tried, current.info, outcome) : undefined;
      if (!next) {
        const last = state.attemptLog[state.attemptLog.length - 1];
        if (outcome.answer) {
          // Content filtered and no other provider to ask: the filtered answer is the answer.
          if (last) last.outcome = 'success';
          return outcome.answer;
        }
        if (last && last.outcome === 'fell-back') last.outcome = 'failed';
        throw outcome.error;
      }
      if (!outcome.skip) hops++;
      if (this.events.has('fallback')) {
        const last = state.attemptLog[state.attemptLog.length - 1];
        const key = last?.model === current.info.id ? last.key : undefined;
        this.events.emit('fallback', {
          from: { model: current.info.id, provider: current.info.provider, ...(key ? { key } : {}) },
          to: { model: next.info.id, provider: next.info.provider },
          code: outcome.code,
        });
      }
      this.logger?.warn({ from: current.info.id, to: next.info.id, code: outcome.code }, 'falling back to another model');
      current = next;
    }
    /* c8 ignore next */
    throw new Error('routing plan without candidates');
  }

  /** The next candidate for a failure: untried, fitting what the failure needs, the other provider first for provider-level failures. */
  private next(candidates: readonly Candidate[], tried: readonly Candidate[], from: ModelInfo, leave: Leave<unknown>): Candidate | undefined {
    let sameProvider: Candidate | undefined;
    for (const candidate of candidates) {
      if (tried.includes(candidate)) continue;
      const info = candidate.info;
      if (leave.need === 'larger-window' && info.contextWindow <= from.contextWindow) continue;
      if (leave.need === 'other-provider' && info.provider === from.provider) continue;
      if (leave.skip && this.blockedReason(info) !== undefined) continue;
      if (leave.preferOtherProvider && info.provider === from.provider) {
        sameProvider ??= candidate;
        continue;
      }
      return candidate;
    }
    return sameProvider;
  }

  /** Whether an untried candidate could take a call now (so a blocked target may be skipped). */
  private otherAvailable(state: CallState, tried: readonly Candidate[], excludeProvider?: string): boolean {
    for (const candidate of state.plan.candidates) {
      if (tried.includes(candidate) || candidate.info.provider === excludeProvider) continue;
      if (this.blockedReason(candidate.info) === undefined) return true;
    }
    return false;
  }

  private async tryTarget<T>(
    state: CallState,
    candidate: Candidate,
    tried: readonly Candidate[],
    send: Send<T>,
    hold: boolean,
    inspect: Inspect<T> | undefined,
  ): Promise<TargetOutcome<T>> {
    const info = candidate.info;
    const pool = this.pools.get(info.provider) as ProviderKeyPool;
    const modelBreaker = this.modelBreakers.get(info.id) as CircuitBreaker;
    const prepared = state.prepared !== undefined && candidate === state.plan.first ? state.prepared : this.prepare(info, state.request, state.inputTokens);
    const settings = this.settings;
    let excluded: ProviderKey[] | undefined;
    let retries = 0;
    let attemptsHere = 0;
    let backoff: ReturnType<RetryAfterBackoff['next']> | undefined;
    let forceNext = false;
    let lastError: unknown;

    for (;;) {
      const now = performance.now();
      if (now >= state.deadline) throw this.callTimeout(state, info, undefined);
      let key = pool.pick(excluded, Date.now());
      let force = forceNext;
      if (!key || modelBreaker.isOpen() || force) {
        if (!force && this.otherAvailable(state, tried)) {
          if (lastError !== undefined) return this.leaveAfterFailures(state, lastError);
          state.model = info;
          this.record(state, info, key ?? pool.keys[0], 'skipped', 'breaker_open', 0);
          return { kind: 'leave', error: new CircuitOpenError({ breaker: info.id, state: 'open' }), code: 'breaker_open', skip: true, need: undefined, preferOtherProvider: true };
        }
        // The last healthy target: never skipped, called through its open breaker.
        key ??= pool.lastResort(excluded);
        if (!key) {
          const isolated = pool.keys.find((candidateKey) => candidateKey.isolatedBy !== undefined)?.isolatedBy;
          const error = lastError ?? isolated ?? new CircuitOpenError({ breaker: info.id, state: 'isolated' });
          const code = codeOf(error);
          if (code === 'authentication') throw error;
          return { kind: 'leave', error, code, skip: true, need: undefined, preferOtherProvider: true };
        }
        force = true;
      }
      forceNext = false;

      const bulkhead = this.limits.provider(info.provider);
      const model = key.chatModel(info.id);
      const attemptKey = key;
      const keyBreaker = key.breaker;
      const forced = force;
      const signal = state.signal;
      let started = 0;
      let release = noop;
      let value: T;
      try {
        // Slots and breakers are taken and settled inline rather than through their `execute`
        // wrappers: one await per attempt instead of four nested async frames (the hot path).
        release = bulkhead.tryAcquire() ?? (await bulkhead.acquire(signal));
        state.attempts++;
        attemptsHere++;
        state.model = info;
        state.key = attemptKey;
        attemptKey.inFlight++;
        started = performance.now();
        const keyTicket = keyBreaker.begin(forced);
        let modelTicket: BreakerTicket;
        try {
          modelTicket = modelBreaker.begin(forced);
        } catch (error) {
          keyBreaker.fail(keyTicket, error);
          throw error;
        }
        const timeoutMs = Math.max(1, Math.min(settings.attemptTimeoutMs, state.deadline - started));
        try {
          // Without a caller signal a generate call gets no signal either: an AbortSignal costs about
          // 10 µs per request in the openai SDK (it composes it with its own), a tenth of a simulated
          // call; the provider's HTTP client keeps the time limit and our timer bounds the attempt.
          value =
            signal === undefined && !hold
              ? await withTimeLimit(send(model, prepared.request, undefined, state, timeoutMs), timeoutMs)
              : await withDeadline((attemptSignal) => send(model, prepared.request, attemptSignal, state, timeoutMs), timeoutMs, signal);
        } catch (error) {
          const aborted = signal?.aborted === true;
          modelBreaker.fail(modelTicket, error, aborted);
          keyBreaker.fail(keyTicket, error, aborted);
          throw error;
        }
        modelBreaker.succeed(modelTicket);
        keyBreaker.succeed(keyTicket);
        // A stream holds its provider slot until it ends; a generate call only while it runs.
        if (!hold) {
          release();
          release = noop;
        }
      } catch (error) {
        if (started === 0) {
          release();
          // No attempt was made: the provider's bulkhead refused the call (or the caller gave up waiting).
          const over = toOverCapacity(error, 'provider', info.provider);
          if (!OverCapacityError.isInstance(over)) throw over;
          this.rejected(over, undefined);
          this.record(state, info, key, 'skipped', 'over_capacity', 0);
          if (this.otherAvailable(state, tried, info.provider)) {
            return { kind: 'leave', error: over, code: 'over_capacity', skip: true, need: 'other-provider', preferOtherProvider: true };
          }
          throw over;
        }
        attemptKey.inFlight--;
        release();
        const durationMs = performance.now() - started;
        if (state.signal?.aborted) {
          this.record(state, info, key, 'failed', 'aborted', durationMs);
          throw error;
        }
        if (CircuitOpenError.isInstance(error)) {
          // Another call took the half-open probe between our check and the call: treat as open.
          this.record(state, info, key, 'skipped', 'breaker_open', durationMs);
          state.attempts--;
          attemptsHere--;
          if (force) throw error;
          forceNext = true;
          continue;
        }
        const code = codeOf(error);
        if (TimeoutExceededError.isInstance(error) && performance.now() >= state.deadline - 1) {
          this.record(state, info, key, 'failed', 'timeout', durationMs);
          throw this.callTimeout(state, info, error);
        }
        if (!ProviderError.isInstance(error) && !TimeoutExceededError.isInstance(error)) {
          this.record(state, info, key, 'failed', code, durationMs);
          throw error;
        }

        lastError = TimeoutExceededError.isInstance(error) ? this.attemptTimeout(info, error, attemptsHere) : error;

        // Key problems: another key of the same provider may serve.
        if (code === 'authentication' || code === 'quota_exhausted') {
          if (pool.keys.length > 1 || code === 'quota_exhausted') key.isolate(error, settings.keyIsolationMs);
          (excluded ??= []).push(key);
          this.logger?.warn({ key: key.label, model: info.id, code }, 'provider key taken out of rotation');
          if (pool.hasUsable(excluded, Date.now())) {
            this.record(state, info, key, 'key-switched', code, durationMs);
            continue;
          }
          if (code === 'authentication') {
            this.record(state, info, key, 'failed', code, durationMs);
            throw error;
          }
          this.record(state, info, key, 'fell-back', code, durationMs);
          return { kind: 'leave', error, code, skip: false, need: undefined, preferOtherProvider: true };
        }

        if (code === 'rate_limited' || code === 'provider_unavailable' || code === 'timeout') {
          const retryAfterMs = ProviderError.isInstance(error) ? error.retryAfterMs : undefined;
          if (code === 'rate_limited') {
            key.rateLimitedUntil = Date.now() + (retryAfterMs ?? 1_000);
            // A rate limit is the key's: another key that is not limited is tried at once.
            if (pool.keys.length > 1 && retries < settings.maxAttempts && pool.hasUsable(excluded ? [...excluded, key] : [key], Date.now(), true)) {
              retries++;
              this.record(state, info, key, 'key-switched', code, durationMs);
              continue;
            }
          }
          // The breaker opened on this failure (or every key is out): move on rather than wait.
          const blocked = (modelBreaker.isOpen() || !pool.hasUsable(excluded, Date.now())) && this.otherAvailable(state, tried);
          if (!blocked && retries < settings.maxAttempts && (retryAfterMs === undefined || retryAfterMs <= settings.maxRetryAfterMs)) {
            const context = { attempt: retries + 1, signal: neverAborted, result: { error } };
            backoff = backoff ? backoff.next(context) : this.backoff.next(context);
            const delayMs = backoff.duration;
            // A wait the call's budget cannot afford is a reason to move on, not to wait.
            if (performance.now() + delayMs < state.deadline) {
              retries++;
              this.record(state, info, key, 'retried', code, durationMs);
              if (this.events.has('retry')) this.events.emit('retry', { model: info.id, provider: info.provider, key: key.label, attempt: retries, delayMs, code });
              this.logger?.warn({ model: info.id, key: key.label, attempt: retries, delayMs: Math.round(delayMs), code }, 'retrying model call');
              await delay(delayMs, state.signal);
              continue;
            }
          }
          this.record(state, info, key, 'fell-back', code, durationMs);
          return { kind: 'leave', error: lastError, code, skip: false, need: undefined, preferOtherProvider: true };
        }
        if (code === 'context_too_long') {
          this.record(state, info, key, 'fell-back', code, durationMs);
          return { kind: 'leave', error, code, skip: false, need: 'larger-window', preferOtherProvider: false };
        }
        if (code === 'content_filtered' && settings.onContentFilter) {
          this.record(state, info, key, 'fell-back', code, durationMs);
          return { kind: 'leave', error, code, skip: false, need: 'other-provider', preferOtherProvider: true };
        }
        if (code === 'model_not_found') {
          this.record(state, info, key, 'fell-back', code, durationMs);
          return { kind: 'leave', error, code, skip: false, need: undefined, preferOtherProvider: false };
        }
        // Invalid requests, content filtered without fallback: the request's fault, the same anywhere.
        this.record(state, info, key, 'failed', code, durationMs);
        throw error;
      }
      attemptKey.inFlight--;
      const answer: Answer<T> = { value, info, key, prepared, release };
      const filtered = settings.onContentFilter ? inspect?.(value, info, state) : undefined;
      if (filtered) {
        release();
        this.record(state, info, key, 'fell-back', 'content_filtered', performance.now() - started);
        return { kind: 'leave', error: filtered, code: 'content_filtered', skip: false, need: 'other-provider', preferOtherProvider: true, answer };
      }
      this.record(state, info, key, 'success', undefined, performance.now() - started);
      return { kind: 'answer', answer };
    }
  }

  private record(state: CallState, info: ModelInfo, key: ProviderKey | undefined, outcome: AttemptOutcome, code: string | undefined, durationMs: number): void {
    const entry: AttemptRecord = { model: info.id, provider: info.provider, key: key?.label ?? info.provider, outcome, durationMs };
    if (code !== undefined) entry.code = code;
    state.attemptLog.push(entry);
  }

  /** Reports a capacity rejection (event); the caller decides whether it ends the call. */
  rejected(error: OverCapacityError, session: string | undefined): void {
    if (this.events.has('rejected')) {
      this.events.emit('rejected', { scope: error.scope, name: error.limitName, limit: error.limit, retryAfterMs: error.retryAfterMs, session });
    }
    this.logger?.warn({ scope: error.scope, name: error.limitName, retryAfterMs: error.retryAfterMs }, 'call rejected: over capacity');
  }

  /** After failed attempts, the target became blocked (its breaker opened): leave with the last failure. */
  private leaveAfterFailures<T>(state: CallState, error: unknown): Leave<T> {
    const last = state.attemptLog[state.attemptLog.length - 1];
    if (last?.outcome === 'retried' || last?.outcome === 'key-switched') last.outcome = 'fell-back';
    return { kind: 'leave', error, code: codeOf(error), skip: false, need: undefined, preferOtherProvider: true };
  }

  private attemptTimeout(info: ModelInfo, error: TimeoutExceededError, attempts: number): ProviderTimeoutError {
    const tries = attempts > 1 ? ` on any of ${attempts} attempts` : '';
    return new ProviderTimeoutError({
      provider: info.provider,
      message: `${info.id} did not answer within ${error.timeoutMs} ms${tries}; try again later or choose a faster model.`,
      cause: error,
    });
  }

  private callTimeout(state: CallState, info: ModelInfo, cause: unknown): ProviderTimeoutError {
    const models = [...new Set(state.attemptLog.map((entry) => entry.model))];
    return new ProviderTimeoutError({
      provider: info.provider,
      message:
        `The call did not finish within ${this.settings.callTimeoutMs} ms (callTimeoutMs) over ${state.attempts} attempt(s)` +
        `${models.length ? ` on ${models.join(', ')}` : ''}; try again later or allow more time.`,
      cause,
    });
  }
}

/** A content-filtered answer as an error, for fallback decisions. */
export function contentFilteredAnswer(info: ModelInfo): ContentFilteredError {
  return new ContentFilteredError({ provider: info.provider, message: `${info.id} blocked its answer (finish reason content-filter).` });
}
