import { isAutoModelName } from './is-auto-model-name.js';
import {
  AbortedError,
  ProviderTimeoutError,
  type CallOptions,
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  type FinishReason,
  type ModelInfo,
  type Provider,
  type StreamPart,
  type Usage,
} from '@exai/router/spec';
import { CapacityExceededError, createCircuitBreaker, validateTimeoutHierarchy, type CircuitBreaker, type CircuitBreakerSnapshot, type CircuitStateChange } from '@exai/resilience';
import { AiManager, type AiClassification } from './ai-manager.js';
import { CallLimits, toOverCapacity, type BulkheadStatus } from './call-limits.js';
import { classifyByRules, type TaskClassification } from './classify-task.js';
import { estimateCost } from './estimate-cost.js';
import { ModelAccess, type ProviderSetup } from './model-access.js';
import { createModelRegistry, type ModelRegistry } from './model-registry.js';
import { openStream, type OpenedStream } from './open-stream.js';
import { RoutePlanner, type RoutePlan } from './plan-route.js';
import { prepareRequest, type PreparedRequest } from './prepare-request.js';
import { ProviderKey, ProviderKeyPool } from './provider-keys.js';
import { readRequestFeatures, type RequestFeatures } from './request-features.js';
import { account, codeOf, contentFilteredAnswer, isBreakerFailure, RouteExecutor, type CallState, type Inspect, type Send } from './route-executor.js';
import { CapabilityError, NoQualifyingModelError, UnknownModelError, type CapabilityName, type OverCapacityError } from './router-errors.js';
import { RouterEventHub, type AttemptRecord, type BreakerState, type RouterEvents } from './router-events.js';
import { routerDefaults, routerTimeoutLayers, type RouterOptions } from './router-options.js';
import type { RoutingDecision, RoutingTask } from './routing-decision.js';

/**
 * One routed call: the request, a model name or alias (`auto`, or undefined with `defaultModel: 'auto'`:
 * the router chooses), what the caller knows about the task, and the session it belongs to.
 */
export interface RoutedCall {
  model?: string;
  request: ChatRequest;
  task?: RoutingTask;
  /** Session id for the per-session bulkhead (`limits.sessionInFlight`). */
  session?: string;
}

/** A chat result plus what the router knows about the call. */
export type RoutedChatResult = ChatResult & {
  /** The model that answered. */
  model: ModelInfo;
  /** Label of the provider key that answered (`glm#1`). */
  key: string;
  /** Calls made, retries and fallbacks included. */
  attempts: number;
  /** Estimated USD cost, summed over every attempt that reported usage. */
  costUsd: number;
  /** Wall time of the whole call, routing, retries, backoff and fallbacks included. */
  durationMs: number;
  decision: RoutingDecision;
  attemptLog: AttemptRecord[];
  /** Usage summed over every attempt that reported it (`usage` is the answering call's). */
  totalUsage: Usage;
};

/** What a routed stream reports once its `finish` part has passed. */
export interface RoutedStreamSummary {
  model: ModelInfo;
  key: string;
  attempts: number;
  costUsd: number;
  durationMs: number;
  /** The answering call's usage. */
  usage: Usage;
  totalUsage: Usage;
  finishReason: FinishReason;
  webSearchCalls: number;
  attemptLog: AttemptRecord[];
  decision: RoutingDecision;
}

/**
 * A routed stream and its metadata. Routing errors (unknown model, capability, nothing qualifies)
 * throw from `streamWithMetadata` itself. `model` is the planned model at once and the answering one
 * once the first part has arrived (a fallback before it changes it); `decision` likewise (with the AI
 * manager, the rules' decision until the manager has answered). `summary` is set when `finish` is
 * yielded and stays undefined if the stream fails or is abandoned. `parts` can be iterated once.
 */
export interface RoutedStream {
  readonly model: ModelInfo;
  readonly decision: RoutingDecision;
  readonly attemptLog: readonly AttemptRecord[];
  readonly parts: AsyncIterable<StreamPart>;
  readonly summary: RoutedStreamSummary | undefined;
}

/** A model and whether it can be used now. */
export interface ModelAvailability {
  info: ModelInfo;
  available: boolean;
  /** Why not: `GLM_API_KEY is not set`, `not in KIMI_ALLOWED_MODELS`. */
  reason?: string;
}

/** A resolved model and the provider that serves it. */
export interface ResolvedModel {
  info: ModelInfo;
  provider: Provider;
}

/** One provider key's health, for `router.status()`. */
export interface KeyStatus {
  label: string;
  provider: string;
  inFlight: number;
  breaker: CircuitBreakerSnapshot;
  /** Why the key is out of rotation (`authentication`, `quota_exhausted`), while it is. */
  isolatedBy?: string;
  /** Remaining rate-limit wait the vendor asked for, in ms. */
  rateLimitedForMs?: number;
}

/** The router's health: keys, model breakers, bulkheads. */
export interface RouterStatus {
  keys: KeyStatus[];
  /** One breaker per usable model. */
  models: CircuitBreakerSnapshot[];
  bulkheads: BulkheadStatus[];
}

/** Routes chat calls to models: selection, preparation, retries, fallbacks, breakers, bulkheads, cost. */
export interface Router {
  /** Typed events: `decision`, `retry`, `fallback`, `breaker`, `rejected`, `call`. */
  readonly events: RouterEvents;
  /**
   * Resolves a model name or alias (case-insensitive) to its model and provider. `auto` gives what
   * automatic selection picks for a short text request; undefined or empty gives the default model.
   * Throws `UnknownModelError`, `ProviderNotConfiguredError` or `ModelNotAllowedError`.
   */
  resolve(model?: string): ResolvedModel;
  /** Applies registry knowledge to a request (see `prepareRequest`); throws `CapabilityError`. */
  prepare(info: ModelInfo, request: ChatRequest): PreparedRequest;
  /**
   * The routing decision for a call, as `generate` would make it, without any I/O (the AI manager is
   * consulted only through its cache). Throws what routing would throw.
   */
  explain(call: RoutedCall): RoutingDecision;
  /** Routes and sends a call; see the README for retries, fallbacks and errors. */
  generate(call: RoutedCall, options?: CallOptions): Promise<RoutedChatResult>;
  /** `streamWithMetadata(call, options).parts`; every error, routing included, surfaces while iterating. */
  stream(call: RoutedCall, options?: CallOptions): AsyncIterable<StreamPart>;
  /**
   * Streams a call. Failures before the first content part are retried and fall back like `generate`;
   * after it, errors propagate as they are. Prepare warnings are added to the `finish` part's `warnings`.
   */
  streamWithMetadata(call: RoutedCall, options?: CallOptions): RoutedStream;
  /** Every registry model with its availability. */
  listModels(): ModelAvailability[];
  /** USD cost of a call's usage on a model (cached input at the cached price, plus web searches). */
  estimateCost(info: ModelInfo, usage: Usage, webSearchCalls: number): number;
  /** Breaker states, key load and bulkhead in-flight and queued counts. */
  status(): RouterStatus;
}

/** How a call was routed: the plan, the request to send (the AI manager may turn search or thinking on), the explicit model's prepared request. */
interface Routed {
  plan: RoutePlan;
  request: ChatRequest;
  features: RequestFeatures;
  prepared: PreparedRequest | undefined;
}

const sendGenerate: Send<ChatResult> = (model, request, signal, state, timeoutMs) => {
  const options: CallOptions = signal ? { signal } : { timeoutMs };
  if (state.headers) options.headers = state.headers;
  return model.generate(request, options);
};

// A stream always gets a signal (its attempts run under `withDeadline`): it must be abortable mid-stream.
const sendStream: Send<OpenedStream> = (model, request, signal, state) =>
  openStream(model, request, { attemptSignal: signal ?? new AbortController().signal, callerSignal: state.signal, headers: state.headers });

const zeroUsage: Usage = Object.freeze({ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: 0 });

class ModelRouter implements Router {
  readonly events: RouterEventHub;
  private readonly registry: ModelRegistry;
  private readonly access: ModelAccess;
  private readonly pools = new Map<string, ProviderKeyPool>();
  private readonly modelBreakers = new Map<string, CircuitBreaker>();
  private readonly unhealthy = new Set<string>();
  private readonly limits: CallLimits;
  private readonly planner: RoutePlanner;
  private readonly executor: RouteExecutor;
  private readonly aiManager: AiManager | undefined;
  /** The default model, or undefined when the default is `auto`. */
  private readonly defaultInfo: ModelInfo | undefined;
  private readonly callTimeoutMs: number;
  private readonly streamIdleTimeoutMs: number;
  private readonly logger: RouterOptions['logger'];
  private readonly prepareFor = (info: ModelInfo, request: ChatRequest, inputTokens: number): PreparedRequest =>
    prepareRequest(info, request, { modelsWith: this.modelsWith, inputTokens });
  private readonly modelsWith = (capability: CapabilityName): string[] => this.usableIdsOrAll((candidate) => candidate.capabilities[capability] === true);

  constructor(options: RouterOptions) {
    this.logger = options.logger;
    this.registry = options.registry ?? createModelRegistry();
    const logger = this.logger;
    this.events = new RouterEventHub((error, type) => logger?.warn({ event: type, error: String(error) }, 'router event listener threw'));

    const [attemptLayer, callLayer] = routerTimeoutLayers(options);
    validateTimeoutHierarchy([attemptLayer, callLayer]);
    this.callTimeoutMs = callLayer.ms;
    this.streamIdleTimeoutMs = options.streamIdleTimeoutMs ?? routerDefaults.streamIdleTimeoutMs;

    const breakers = { ...routerDefaults.breakers, ...options.breakers };
    const breaker = (kind: 'key' | 'model', name: string): CircuitBreaker =>
      createCircuitBreaker({
        name,
        consecutiveFailures: breakers.consecutiveFailures,
        samplingThreshold: breakers.failureRate,
        minimumRequests: breakers.minimumRequests,
        samplingDurationMs: breakers.samplingDurationMs,
        halfOpenAfterMs: breakers.halfOpenAfterMs,
        isFailure: isBreakerFailure,
        onStateChange: (change) => this.breakerChanged(kind, change),
      });

    const firstProviders: Partial<Record<string, Provider>> = {};
    for (const [id, configured] of Object.entries(options.providers)) {
      const list: readonly Provider[] = configured === undefined ? [] : Array.isArray(configured) ? configured : [configured as Provider];
      if (list.length === 0) continue;
      firstProviders[id] = list[0];
      this.pools.set(id, new ProviderKeyPool(id, list.map((provider, index) => new ProviderKey(`${id}#${index + 1}`, id, provider, breaker('key', `${id}#${index + 1}`)))));
    }
    this.access = new ModelAccess(this.registry, firstProviders, options.providerSetup ?? {}, options.allowedModels ?? {}, options.logger);
    for (const info of this.registry.list()) if (this.access.isAvailable(info)) this.modelBreakers.set(info.id, breaker('model', info.id));

    const defaultName = options.defaultModel ?? routerDefaults.defaultModel;
    if (!isAutoModelName(defaultName)) {
      this.defaultInfo = this.registry.resolve(defaultName);
      if (!this.defaultInfo) throw new UnknownModelError({ requested: defaultName, available: this.registry.list().map((info) => info.id) });
    }

    const retry = { ...routerDefaults.retry, ...options.retry };
    const fallback = { ...routerDefaults.fallback, ...options.fallback };
    this.limits = new CallLimits(options.limits ?? {}, [...this.pools.keys()]);
    this.planner = new RoutePlanner(this.registry.list(), (info) => this.access.unavailableReason(info), {
      maxCostPerRequestUsd: options.maxCostPerRequestUsd,
      explicitFallback: fallback.explicitModels,
    });
    this.executor = new RouteExecutor(
      this.unhealthy,
      this.pools,
      this.modelBreakers,
      this.limits,
      this.events,
      {
        maxAttempts: retry.maxAttempts,
        maxRetryAfterMs: retry.maxRetryAfterMs,
        attemptTimeoutMs: attemptLayer.ms,
        callTimeoutMs: this.callTimeoutMs,
        onContentFilter: fallback.onContentFilter,
        maxHops: fallback.maxHops,
        keyIsolationMs: options.keyIsolationMs ?? routerDefaults.keyIsolationMs,
      },
      retry,
      this.prepareFor,
      options.logger,
    );
    if (options.aiManager?.enabled) {
      const manager: AiManager = new AiManager(options.aiManager, () => this.managerModel(manager.modelName), options.logger);
      this.aiManager = manager;
    }
  }

  resolve(model?: string): ResolvedModel {
    const name = model?.trim();
    if (!name || isAutoModelName(name)) {
      const info = this.planCall({ ...(name ? { model: name } : {}), request: { messages: [] } }, false).plan.first.info;
      return { info, provider: this.access.require(info) };
    }
    const info = this.registry.resolve(name);
    if (!info) throw new UnknownModelError({ requested: name, available: this.usableIdsOrAll(() => true) });
    return { info, provider: this.access.require(info) };
  }

  prepare(info: ModelInfo, request: ChatRequest): PreparedRequest {
    return prepareRequest(info, request, { modelsWith: this.modelsWith });
  }

  explain(call: RoutedCall): RoutingDecision {
    const manager = this.aiManager;
    if (!manager || !this.isAuto(call) || call.task?.category) return this.planCall(call, false).plan.decision;
    const features = readRequestFeatures(call.request, call.task, false);
    const cached = manager.cached(manager.prompt(call.request, call.task, features).key, true);
    return this.planAuto(call, features, cached, cached ? 'cached' : 'dry-run').plan.decision;
  }

  async generate(call: RoutedCall, options: CallOptions = {}): Promise<RoutedChatResult> {
    const started = performance.now();
    const routed = this.needsManager(call) ? await this.routeWithManager(call, false, options.signal) : this.planCall(call, false);
    this.announce(routed.plan.decision, call);
    const state = this.callState(routed, options, started);
    let filtered: Array<{ result: ChatResult; info: ModelInfo }> | undefined;
    const inspect: Inspect<ChatResult> = (result, info) => {
      if (result.finishReason.unified !== 'content-filter') return undefined;
      (filtered ??= []).push({ result, info });
      return contentFilteredAnswer(info);
    };
    const limits = this.limits;
    const session = call.session;
    let releaseGlobal: (() => void) | undefined;
    let releaseSession: (() => void) | undefined;
    let answer;
    try {
      // Slots taken inline (no await when one is free): the hot path.
      releaseGlobal = limits.global.tryAcquire() ?? (await limits.global.acquire(options.signal));
      if (session !== undefined) {
        const bulkhead = limits.session(session);
        releaseSession = bulkhead.tryAcquire() ?? (await bulkhead.acquire(options.signal));
      }
      answer = await this.executor.run(state, sendGenerate, { hold: false, inspect });
    } catch (error) {
      throw this.failed(error, state, call, false);
    } finally {
      releaseSession?.();
      releaseGlobal?.();
      if (session !== undefined) limits.releaseSession(session);
    }
    answer.release();
    const result = answer.value;
    const info = answer.info;
    if (filtered) {
      for (const entry of filtered) {
        if (entry.result !== result) account(state, entry.result.usage, estimateCost(entry.info, entry.result.usage, entry.result.webSearchCalls));
      }
    }
    account(state, result.usage, estimateCost(info, result.usage, result.webSearchCalls));
    const warnings = answer.prepared.warnings;
    // The provider's result object is this call's own: extended in place rather than copied (hot path).
    const routedResult = result as RoutedChatResult;
    if (warnings.length) routedResult.warnings = [...warnings, ...result.warnings];
    routedResult.model = info;
    routedResult.key = answer.key.label;
    routedResult.attempts = state.attempts;
    routedResult.costUsd = state.costUsd;
    routedResult.durationMs = performance.now() - started;
    routedResult.decision = routed.plan.decision;
    routedResult.attemptLog = state.attemptLog;
    routedResult.totalUsage = state.totalUsage ?? result.usage;
    this.finished(state, call, false, info, answer.key.label, result.usage, undefined);
    return routedResult;
  }

  async *stream(call: RoutedCall, options: CallOptions = {}): AsyncIterable<StreamPart> {
    yield* this.streamWithMetadata(call, options).parts;
  }

  streamWithMetadata(call: RoutedCall, options: CallOptions = {}): RoutedStream {
    // Routing errors throw here, at once; with the AI manager the rules' plan stands in until it answers.
    const initial = this.planCall(call, true);
    const handle = {
      model: initial.plan.first.info,
      decision: initial.plan.decision,
      attemptLog: [] as AttemptRecord[],
      summary: undefined as RoutedStreamSummary | undefined,
    };
    const parts = this.streamParts(call, options, initial, handle);
    return {
      parts,
      get model() {
        return handle.model;
      },
      get decision() {
        return handle.decision;
      },
      get attemptLog() {
        return handle.attemptLog;
      },
      get summary() {
        return handle.summary;
      },
    };
  }

  listModels(): ModelAvailability[] {
    return this.registry.list().map((info) => {
      const reason = this.access.unavailableReason(info);
      return reason === undefined ? { info, available: true } : { info, available: false, reason };
    });
  }

  estimateCost(info: ModelInfo, usage: Usage, webSearchCalls: number): number {
    return estimateCost(info, usage, webSearchCalls);
  }

  status(): RouterStatus {
    const now = Date.now();
    const keys: KeyStatus[] = [];
    for (const pool of this.pools.values()) {
      for (const key of pool.keys) {
        const entry: KeyStatus = { label: key.label, provider: key.providerId, inFlight: key.inFlight, breaker: key.breaker.snapshot() };
        const code = (key.isolatedBy as { code?: unknown } | undefined)?.code;
        if (typeof code === 'string') entry.isolatedBy = code;
        if (key.rateLimitedUntil > now) entry.rateLimitedForMs = key.rateLimitedUntil - now;
        keys.push(entry);
      }
    }
    return { keys, models: [...this.modelBreakers.values()].map((breaker) => breaker.snapshot()), bulkheads: this.limits.status() };
  }

  private isAuto(call: RoutedCall): boolean {
    const name = call.model?.trim();
    return name ? isAutoModelName(name) : this.defaultInfo === undefined;
  }

  private needsManager(call: RoutedCall): boolean {
    return this.aiManager !== undefined && !call.task?.category && this.isAuto(call);
  }

  /** The classifying model of the AI manager, on the least busy usable key of its provider. */
  private managerModel(name: string): ChatModel | undefined {
    const info = this.registry.resolve(name);
    if (!info || !this.access.isAvailable(info)) return undefined;
    const key = this.pools.get(info.provider)?.pick(undefined, Date.now());
    return key?.chatModel(info.id);
  }

  /** Routing without the AI manager (synchronous). */
  private planCall(call: RoutedCall, streaming: boolean): Routed {
    const name = call.model?.trim();
    const request = call.request;
    if (!name || isAutoModelName(name)) {
      const features = readRequestFeatures(request, call.task, streaming);
      if (!name && this.defaultInfo) return this.planDefault(call, this.defaultInfo, features, streaming);
      return this.planAuto(call, features, undefined, undefined);
    }
    const info = this.registry.resolve(name);
    if (!info) throw new UnknownModelError({ requested: name, available: this.usableIdsOrAll(() => true) });
    this.access.require(info);
    return this.planExplicit(call, info, name, readRequestFeatures(request, call.task, streaming), streaming);
  }

  /** No model named: the default model, or automatic selection in its tier when it cannot be used. */
  private planDefault(call: RoutedCall, info: ModelInfo, features: RequestFeatures, streaming: boolean): Routed {
    const reason = this.access.unavailableReason(info);
    if (reason === undefined) return this.planExplicit(call, info, info.id, features, streaming);
    try {
      const routed = this.planAuto({ ...call, task: { ...call.task, category: call.task?.category ?? info.qualityTier } }, features, undefined, undefined);
      routed.plan.decision.reasons.unshift(`the default model ${info.id} cannot be used (${reason})`);
      return routed;
    } catch (error) {
      if (NoQualifyingModelError.isInstance(error)) this.access.require(info);
      throw error;
    }
  }

  private planExplicit(call: RoutedCall, info: ModelInfo, requested: string, features: RequestFeatures, streaming: boolean): Routed {
    if (streaming && !info.capabilities.streaming) {
      throw new CapabilityError({ model: info.id, capability: 'streaming', need: 'stream its answer', alternatives: this.modelsWith('streaming') });
    }
    const prepared = this.prepareFor(info, call.request, features.inputTokens);
    const plan = this.planner.plan({
      mode: 'explicit',
      requested,
      explicit: info,
      category: info.qualityTier,
      classifiedBy: 'model',
      reasons: [`${info.id} was requested`],
      features,
      maxTokens: call.request.maxTokens,
      blocked: (candidate) => this.executor.blockedReason(candidate),
    });
    return { plan, request: call.request, features, prepared: plan.first.info === info ? prepared : undefined };
  }

  /**
   * Automatic selection: the task's category, else the AI manager's classification (which may turn web
   * search or thinking on when the request leaves them unset), else the rules.
   */
  private planAuto(call: RoutedCall, features: RequestFeatures, classification: AiClassification | undefined, source: 'fresh' | 'cached' | 'dry-run' | undefined): Routed {
    const plan = (request: ChatRequest, chosen: RequestFeatures, classified: TaskClassification): Routed => ({
      plan: this.planner.plan({
        mode: 'auto',
        requested: call.model?.trim() || 'auto',
        explicit: undefined,
        category: classified.category,
        classifiedBy: classified.classifiedBy,
        reasons: classified.reasons,
        features: chosen,
        maxTokens: request.maxTokens,
        blocked: (candidate) => this.executor.blockedReason(candidate),
      }),
      request,
      features: chosen,
      prepared: undefined,
    });
    if (!classification) {
      const rules = classifyByRules(call.task, features);
      if (source === 'dry-run') rules.reasons.push('AI manager not consulted in a dry run (no cached classification)');
      else if (source === 'fresh') rules.reasons.push('AI manager gave no usable answer; the rules decided');
      return plan(call.request, features, rules);
    }
    const summary = `AI manager (${this.aiManager?.modelName}${source === 'cached' ? ', cached' : ''}): ${classification.category}, complexity ${classification.complexity}`;
    const classified: TaskClassification = { category: classification.category, classifiedBy: 'ai-manager', reasons: [summary] };
    let request = call.request;
    const amendments: string[] = [];
    if (classification.needsWeb && request.webSearch === undefined) {
      request = { ...request, webSearch: { enabled: true } };
      amendments.push('web search turned on (the AI manager says the task needs the web)');
    }
    if (classification.needsThinking && request.thinking === undefined) {
      request = { ...request, thinking: { enabled: true } };
      amendments.push('thinking turned on (the AI manager says the task needs it)');
    }
    if (amendments.length === 0) return plan(request, features, classified);
    try {
      return plan(request, readRequestFeatures(request, call.task, features.needs.streaming), { ...classified, reasons: [summary, ...amendments] });
    } catch (error) {
      if (!NoQualifyingModelError.isInstance(error)) throw error;
      return plan(call.request, features, { ...classified, reasons: [summary, 'no model could honour what the AI manager turned on; the request is sent as it is'] });
    }
  }

  private async routeWithManager(call: RoutedCall, streaming: boolean, signal: AbortSignal | undefined): Promise<Routed> {
    const manager = this.aiManager as AiManager;
    const features = readRequestFeatures(call.request, call.task, streaming);
    const { key, description } = manager.prompt(call.request, call.task, features);
    const cached = manager.cached(key);
    if (cached) return this.planAuto(call, features, cached, 'cached');
    return this.planAuto(call, features, await manager.classify(key, description, signal), 'fresh');
  }

  /** Ids of usable models matching `filter`; all matching ids when none is usable. */
  private usableIdsOrAll(filter: (info: ModelInfo) => boolean): string[] {
    const matching = this.registry.list().filter(filter);
    const usable = matching.filter((info) => this.access.isAvailable(info));
    return (usable.length ? usable : matching).map((info) => info.id);
  }

  private callState(routed: Routed, options: CallOptions, started: number): CallState {
    return {
      request: routed.request,
      plan: routed.plan,
      signal: options.signal,
      headers: options.headers,
      inputTokens: routed.features.inputTokens,
      started,
      deadline: started + this.callTimeoutMs,
      prepared: routed.prepared,
      attemptLog: [],
      attempts: 0,
      costUsd: 0,
      totalUsage: undefined,
      model: undefined,
      key: undefined,
    };
  }

  private announce(decision: RoutingDecision, call: RoutedCall): void {
    if (this.events.has('decision')) this.events.emit('decision', { decision, session: call.session, tool: call.task?.tool });
    const logger = this.logger;
    if (logger && (logger.isLevelEnabled?.('debug') ?? true)) {
      logger.debug(
        { mode: decision.mode, category: decision.category, classifiedBy: decision.classifiedBy, model: decision.model, chain: decision.chain.map((entry) => entry.model), rejected: decision.rejected.length, estimatedCostUsd: decision.estimatedCostUsd },
        'routing decision',
      );
    }
  }

  private breakerChanged(kind: 'key' | 'model', change: CircuitStateChange): void {
    if (change.to === 'closed') this.unhealthy.delete(`${kind}:${change.name}`);
    else this.unhealthy.add(`${kind}:${change.name}`);
    if (this.events.has('breaker')) this.events.emit('breaker', { kind, name: change.name, state: change.to as BreakerState, previous: change.from as BreakerState });
    const level = change.to === 'open' || change.to === 'isolated' ? 'warn' : 'info';
    this.logger?.[level]({ kind, name: change.name, from: change.from, to: change.to, reason: change.reason }, 'circuit breaker changed state');
  }

  /** The error a failed call surfaces (the caller's abort as `AbortedError`, capacity as `OverCapacityError`), logged and reported. */
  private failed(error: unknown, state: CallState, call: RoutedCall, stream: boolean): unknown {
    const info = state.model ?? state.plan.first.info;
    let failure = error;
    if (state.signal?.aborted) {
      failure = AbortedError.isInstance(error) ? error : new AbortedError({ provider: info.provider, message: `The call to ${info.id} was cancelled.`, cause: error });
    } else if (CapacityExceededError.isInstance(error)) {
      const session = error.bulkhead.startsWith('session:');
      failure = toOverCapacity(error, session ? 'session' : 'global', session ? (call.session ?? '') : 'global');
      this.executor.rejected(failure as OverCapacityError, call.session);
    }
    const code = codeOf(failure) ?? (failure as { code?: string }).code;
    // A cancelled call is the caller's choice, not a fault worth a warning.
    this.logger?.[code === 'aborted' ? 'debug' : 'warn']({ model: info.id, attempts: state.attempts, code, attemptLog: state.attemptLog }, 'model call failed');
    this.finished(state, call, stream, info, state.key?.label, undefined, code ?? 'error');
    return failure;
  }

  private finished(state: CallState, call: RoutedCall, stream: boolean, info: ModelInfo, key: string | undefined, usage: Usage | undefined, code: string | undefined): void {
    const durationMs = performance.now() - state.started;
    if (code === undefined) {
      this.logger?.debug({ model: info.id, key, attempts: state.attempts, durationMs: Math.round(durationMs), costUsd: state.costUsd }, 'model call finished');
    }
    if (!this.events.has('call')) return;
    this.events.emit('call', {
      ok: code === undefined,
      stream,
      model: info.id,
      provider: info.provider,
      key,
      code,
      costUsd: state.costUsd,
      usage,
      totalUsage: state.totalUsage ?? zeroUsage,
      durationMs,
      attempts: state.attemptLog,
      decision: state.plan.decision,
      session: call.session,
      tool: call.task?.tool,
    });
  }

  private async *streamParts(
    call: RoutedCall,
    options: CallOptions,
    initial: Routed,
    handle: { model: ModelInfo; decision: RoutingDecision; attemptLog: AttemptRecord[]; summary: RoutedStreamSummary | undefined },
  ): AsyncGenerator<StreamPart> {
    const started = performance.now();
    const callerSignal = options.signal;
    const routed = this.needsManager(call) ? await this.routeWithManager(call, true, callerSignal) : initial;
    handle.decision = routed.plan.decision;
    handle.model = routed.plan.first.info;
    this.announce(routed.plan.decision, call);
    const state = this.callState(routed, options, started);
    handle.attemptLog = state.attemptLog;

    const session = call.session;
    let releaseGlobal: (() => void) | undefined;
    let releaseSession: (() => void) | undefined;
    const releaseCallSlots = (): void => {
      releaseSession?.();
      releaseGlobal?.();
      if (session !== undefined) this.limits.releaseSession(session);
    };
    let answer;
    try {
      releaseGlobal = await this.limits.global.acquire(callerSignal);
      if (session !== undefined) releaseSession = await this.limits.session(session).acquire(callerSignal);
      answer = await this.executor.run(state, sendStream, { hold: true });
    } catch (error) {
      releaseCallSlots();
      throw this.failed(error, state, call, true);
    }
    const { info, prepared } = answer;
    const opened = answer.value;
    handle.model = info;

    // Idle timeout: runs only while we wait on the provider, not while the consumer handles a part.
    let waiting = false;
    let idle = false;
    let finished = false;
    const idleMs = this.streamIdleTimeoutMs;
    const timer =
      idleMs > 0
        ? setTimeout(() => {
            if (!waiting) return;
            idle = true;
            opened.abort();
          }, idleMs)
        : undefined;
    const finish = (part: StreamPart): StreamPart => {
      if (part.type !== 'finish') return part;
      account(state, part.usage, estimateCost(info, part.usage, part.webSearchCalls));
      finished = true;
      handle.summary = {
        model: info,
        key: answer.key.label,
        attempts: state.attempts,
        costUsd: state.costUsd,
        durationMs: performance.now() - started,
        usage: part.usage,
        totalUsage: state.totalUsage ?? part.usage,
        finishReason: part.finishReason,
        webSearchCalls: part.webSearchCalls,
        attemptLog: state.attemptLog,
        decision: routed.plan.decision,
      };
      this.finished(state, call, true, info, answer.key.label, part.usage, undefined);
      return prepared.warnings.length ? { ...part, warnings: [...prepared.warnings, ...part.warnings] } : part;
    };

    let failure: unknown;
    try {
      for (const part of opened.buffered) yield finish(part);
      if (opened.done) return;
      for (;;) {
        waiting = true;
        timer?.refresh();
        const next = await opened.iterator.next();
        waiting = false;
        if (next.done) return;
        yield finish(next.value);
      }
    } catch (error) {
      if (idle && !callerSignal?.aborted) {
        failure = new ProviderTimeoutError({
          provider: info.provider,
          message: `${info.id} sent nothing for ${idleMs} ms in the middle of its answer; the stream was closed.`,
          cause: error,
        });
      } else if (callerSignal?.aborted) {
        failure = AbortedError.isInstance(error) ? error : new AbortedError({ provider: info.provider, message: `The call to ${info.id} was cancelled.`, cause: error });
      } else failure = error;
      throw failure;
    } finally {
      clearTimeout(timer);
      opened.close();
      answer.release();
      releaseCallSlots();
      if (!finished) {
        const code = failure === undefined ? 'abandoned' : (codeOf(failure) ?? 'error');
        this.logger?.[code === 'aborted' || code === 'abandoned' ? 'debug' : 'warn']({ model: info.id, attempts: state.attempts, code }, 'stream ended early');
        this.finished(state, call, true, info, answer.key.label, undefined, code);
      }
    }
  }
}

/**
 * Creates the router. Providers are injected (apps wire them; the router never imports one). One
 * `Provider` per API key: give several per id to balance over keys.
 *
 * @example
 * const router = createRouter({
 *   providers: { glm: [createGlm({ apiKey: a }), createGlm({ apiKey: b })], kimi: createKimi({ apiKey: c }) },
 *   maxCostPerRequestUsd: 0.05,
 * });
 * const answer = await router.generate({ model: 'auto', request: { messages: [{ role: 'user', content: 'Hi' }] } }, { signal });
 * answer.decision.reasons; answer.costUsd;
 */
export function createRouter(options: RouterOptions): Router {
  return new ModelRouter(options);
}

export type { ProviderSetup };
