import {
  AbortedError,
  ProviderError,
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
import {
  composePolicies,
  createRetryPolicy,
  createTimeoutPolicy,
  TimeoutExceededError,
  type AttemptTimeoutPolicy,
  type ResiliencePipeline,
} from '@exai/resilience';
import { estimateCost } from './estimate-cost.js';
import { ModelAccess, type ProviderSetup, type RouterLogger } from './model-access.js';
import type { ModelRegistry } from './model-registry.js';
import { openStream, type OpenedStream } from './open-stream.js';
import { prepareRequest, type PreparedRequest } from './prepare-request.js';
import { CapabilityError, UnknownModelError, type CapabilityName } from './router-errors.js';

/** Retry settings of the router (see `@exai/resilience` `createRetryPolicy`). */
export interface RouterRetryOptions {
  /** Retries after the first attempt. Default 3. */
  maxAttempts?: number;
  /** Default 500. */
  initialDelayMs?: number;
  /** Default 8000. */
  maxDelayMs?: number;
  /** A vendor asking to wait longer than this is not retried. Default 30000. */
  maxRetryAfterMs?: number;
}

/** Settings of {@link createRouter}. */
export interface RouterOptions {
  registry: ModelRegistry;
  /** Configured providers by id; a provider without an API key is simply absent. */
  providers: Partial<Record<string, Provider>>;
  /** Per provider: the environment variables named in error messages. */
  providerSetup: Record<string, ProviderSetup>;
  /** Per provider: the models (ids or aliases) that may be used. Absent or empty: all. */
  allowedModels?: Partial<Record<string, string[] | undefined>>;
  /** The model for `auto` or no model. Default `glm-4.5-flash`. */
  defaultModel?: string;
  retry?: RouterRetryOptions;
  /** Time limit of one attempt (for streams: until the first content part), in ms. Default 120000. */
  attemptTimeoutMs?: number;
  /** Longest silence between stream parts after the first one, in ms. Default 60000; 0 disables. */
  streamIdleTimeoutMs?: number;
  logger?: RouterLogger;
}

/** One routed call: a model name or alias (`auto` or undefined: the default) and the request. */
export interface RoutedCall {
  model?: string;
  request: ChatRequest;
}

/** A chat result plus what the router knows about the call. */
export type RoutedChatResult = ChatResult & {
  /** The model that answered. */
  model: ModelInfo;
  /** Calls made, retries included. */
  attempts: number;
  /** Estimated USD cost (see `estimateCost`). */
  costUsd: number;
  /** Wall time of the whole call, retries and backoff included. */
  durationMs: number;
};

/** What a routed stream reports once its `finish` part has passed. */
export interface RoutedStreamSummary {
  attempts: number;
  costUsd: number;
  durationMs: number;
  usage: Usage;
  finishReason: FinishReason;
  webSearchCalls: number;
}

/**
 * A routed stream and its metadata. `model` is known at once (resolution errors throw from
 * `streamWithMetadata` itself); `summary` is set when the `finish` part is yielded and stays
 * undefined if the stream fails or is abandoned. `parts` can be iterated once.
 */
export interface RoutedStream {
  readonly model: ModelInfo;
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

/** Routes chat calls to models: resolution, request preparation, retries and timeouts, cost. */
export interface Router {
  /**
   * Resolves a model name or alias (case-insensitive); undefined, empty or `auto` gives the default
   * model, or when that cannot be used, the first usable model of its quality tier, then any usable one.
   * Throws `UnknownModelError`, `ProviderNotConfiguredError` or `ModelNotAllowedError`.
   */
  resolve(model?: string): ResolvedModel;
  /** Applies registry knowledge to a request (see `prepareRequest`); throws `CapabilityError`. */
  prepare(info: ModelInfo, request: ChatRequest): PreparedRequest;
  /**
   * Resolves, prepares and sends a call, retrying retryable provider errors (honouring their
   * `retryAfterMs`) with a per-attempt timeout (`ProviderTimeoutError`). The caller's abort ends it at
   * once with `AbortedError`.
   */
  generate(call: RoutedCall, options?: CallOptions): Promise<RoutedChatResult>;
  /** `streamWithMetadata(call, options).parts`; every error, resolution included, surfaces while iterating. */
  stream(call: RoutedCall, options?: CallOptions): AsyncIterable<StreamPart>;
  /**
   * Streams a call. Failures before the first content part are retried like `generate`; after it,
   * errors propagate as they are. Prepare warnings are added to the `finish` part's `warnings`.
   */
  streamWithMetadata(call: RoutedCall, options?: CallOptions): RoutedStream;
  /** Every registry model with its availability. */
  listModels(): ModelAvailability[];
  /** USD cost of a call's usage on a model (cached input at the cached price, plus web searches). */
  estimateCost(info: ModelInfo, usage: Usage, webSearchCalls: number): number;
}

/** Defaults of {@link RouterOptions}. */
export const routerDefaults = {
  defaultModel: 'glm-4.5-flash',
  attemptTimeoutMs: 120_000,
  streamIdleTimeoutMs: 60_000,
} as const;

const codeOf = (error: unknown): string | undefined =>
  ProviderError.isInstance(error) ? error.code : TimeoutExceededError.isInstance(error) ? 'timeout' : undefined;

class ModelRouter implements Router {
  private readonly registry: ModelRegistry;
  private readonly access: ModelAccess;
  private readonly defaultInfo: ModelInfo;
  private readonly timeout: AttemptTimeoutPolicy;
  private readonly streamIdleTimeoutMs: number;
  private readonly logger: RouterLogger | undefined;

  constructor(private readonly options: RouterOptions) {
    this.registry = options.registry;
    this.logger = options.logger;
    this.access = new ModelAccess(options.registry, options.providers, options.providerSetup, options.allowedModels ?? {}, options.logger);
    const defaultName = options.defaultModel ?? routerDefaults.defaultModel;
    const defaultInfo = options.registry.resolve(defaultName);
    if (!defaultInfo) {
      throw new UnknownModelError({ requested: defaultName, available: options.registry.list().map((info) => info.id) });
    }
    this.defaultInfo = defaultInfo;
    this.timeout = createTimeoutPolicy(options.attemptTimeoutMs ?? routerDefaults.attemptTimeoutMs);
    this.streamIdleTimeoutMs = options.streamIdleTimeoutMs ?? routerDefaults.streamIdleTimeoutMs;
  }

  resolve(model?: string): ResolvedModel {
    const name = model?.trim();
    if (!name || name.toLowerCase() === 'auto') return this.resolveAuto();
    const info = this.registry.resolve(name);
    if (!info) throw new UnknownModelError({ requested: name, available: this.usableIdsOrAll(() => true) });
    return { info, provider: this.access.require(info) };
  }

  prepare(info: ModelInfo, request: ChatRequest): PreparedRequest {
    return prepareRequest(info, request, {
      modelsWith: (capability: CapabilityName) => this.usableIdsOrAll((candidate) => candidate.capabilities[capability] === true),
    });
  }

  async generate(call: RoutedCall, options: CallOptions = {}): Promise<RoutedChatResult> {
    const { info, provider } = this.resolve(call.model);
    const { request, warnings } = this.prepare(info, call.request);
    const model = provider.chatModel(info.id);
    const started = performance.now();
    let attempts = 0;
    let result: ChatResult;
    try {
      result = await this.pipeline(info).execute(({ signal }) => {
        attempts++;
        return model.generate(request, { ...options, signal });
      }, options.signal);
    } catch (error) {
      throw this.failure(error, info, options.signal, attempts);
    }
    const routed: RoutedChatResult = {
      ...result,
      warnings: warnings.length ? [...warnings, ...result.warnings] : result.warnings,
      model: info,
      attempts,
      costUsd: estimateCost(info, result.usage, result.webSearchCalls),
      durationMs: performance.now() - started,
    };
    this.logger?.debug({ model: info.id, attempts, durationMs: Math.round(routed.durationMs), costUsd: routed.costUsd }, 'model call finished');
    return routed;
  }

  async *stream(call: RoutedCall, options: CallOptions = {}): AsyncIterable<StreamPart> {
    yield* this.streamWithMetadata(call, options).parts;
  }

  streamWithMetadata(call: RoutedCall, options: CallOptions = {}): RoutedStream {
    const { info, provider } = this.resolve(call.model);
    if (!info.capabilities.streaming) {
      throw new CapabilityError({
        model: info.id,
        capability: 'streaming',
        need: 'stream its answer',
        alternatives: this.usableIdsOrAll((candidate) => candidate.capabilities.streaming),
      });
    }
    const prepared = this.prepare(info, call.request);
    let summary: RoutedStreamSummary | undefined;
    const parts = this.streamParts(info, provider.chatModel(info.id), prepared, options, (finished) => {
      summary = finished;
    });
    return {
      model: info,
      parts,
      get summary() {
        return summary;
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

  private resolveAuto(): ResolvedModel {
    const info = this.defaultInfo;
    try {
      return { info, provider: this.access.require(info) };
    } catch (error) {
      const fallback =
        this.registry.list().find((candidate) => candidate.qualityTier === info.qualityTier && this.access.isAvailable(candidate)) ??
        this.registry.list().find((candidate) => this.access.isAvailable(candidate));
      if (!fallback) throw error;
      this.logger?.debug({ defaultModel: info.id, model: fallback.id, reason: this.access.unavailableReason(info) }, 'default model unavailable; using another');
      return { info: fallback, provider: this.access.require(fallback) };
    }
  }

  /** Ids of usable models matching `filter`; all matching ids when none is usable. */
  private usableIdsOrAll(filter: (info: ModelInfo) => boolean): string[] {
    const matching = this.registry.list().filter(filter);
    const usable = matching.filter((info) => this.access.isAvailable(info));
    return (usable.length ? usable : matching).map((info) => info.id);
  }

  /** Retry around a per-attempt timeout. Built per call so retry logs can name the model. */
  private pipeline(info: ModelInfo): ResiliencePipeline {
    const logger = this.logger;
    const retry = createRetryPolicy({
      ...this.options.retry,
      isRetryable: (error) => TimeoutExceededError.isInstance(error) || (ProviderError.isInstance(error) && error.retryable),
      retryAfterMs: (error) => (ProviderError.isInstance(error) ? error.retryAfterMs : undefined),
      ...(logger ? { onRetry: ({ error, attempt, delayMs }) => logger.warn({ model: info.id, attempt, delayMs, code: codeOf(error) }, 'retrying model call') } : {}),
    });
    return composePolicies(retry, this.timeout);
  }

  /** The error a failed call surfaces: the caller's abort as `AbortedError`, a timeout as `ProviderTimeoutError`. */
  private failure(error: unknown, info: ModelInfo, callerSignal: AbortSignal | undefined, attempts: number): unknown {
    let failure = error;
    if (callerSignal?.aborted) {
      failure = AbortedError.isInstance(error)
        ? error
        : new AbortedError({ provider: info.provider, message: `The call to ${info.id} was cancelled.`, cause: error });
    } else if (TimeoutExceededError.isInstance(error)) {
      const tries = attempts > 1 ? ` on any of ${attempts} attempts` : '';
      failure = new ProviderTimeoutError({
        provider: info.provider,
        message: `${info.id} did not answer within ${error.timeoutMs} ms${tries}; try again later or choose a faster model.`,
        cause: error,
      });
    }
    if (this.logger) {
      const code = codeOf(failure);
      // A cancelled call is the caller's choice, not a fault worth a warning.
      this.logger[code === 'aborted' ? 'debug' : 'warn']({ model: info.id, attempts, code }, 'model call failed');
    }
    return failure;
  }

  private async *streamParts(
    info: ModelInfo,
    model: ChatModel,
    prepared: PreparedRequest,
    options: CallOptions,
    onFinish: (summary: RoutedStreamSummary) => void,
  ): AsyncGenerator<StreamPart> {
    const started = performance.now();
    const callerSignal = options.signal;
    let attempts = 0;
    let opened: OpenedStream;
    try {
      opened = await this.pipeline(info).execute(({ signal }) => {
        attempts++;
        return openStream(model, prepared.request, { attemptSignal: signal, callerSignal, headers: options.headers });
      }, callerSignal);
    } catch (error) {
      throw this.failure(error, info, callerSignal, attempts);
    }

    // Idle timeout: runs only while we wait on the provider, not while the consumer handles a part.
    let waiting = false;
    let idle = false;
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
      onFinish({
        attempts,
        costUsd: estimateCost(info, part.usage, part.webSearchCalls),
        durationMs: performance.now() - started,
        usage: part.usage,
        finishReason: part.finishReason,
        webSearchCalls: part.webSearchCalls,
      });
      return prepared.warnings.length ? { ...part, warnings: [...prepared.warnings, ...part.warnings] } : part;
    };

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
        throw new ProviderTimeoutError({
          provider: info.provider,
          message: `${info.id} sent nothing for ${idleMs} ms in the middle of its answer; the stream was closed.`,
          cause: error,
        });
      }
      throw callerSignal?.aborted ? this.failure(error, info, callerSignal, attempts) : error;
    } finally {
      clearTimeout(timer);
      opened.close();
    }
  }
}

/**
 * Creates the router. Providers are injected (apps wire them; the router never imports one).
 *
 * @example
 * const router = createRouter({
 *   registry: createModelRegistry(),
 *   providers: { glm: createGlm({ apiKey }) },
 *   providerSetup: { glm: { envVar: 'GLM_API_KEY', aliases: ['ZAI_API_KEY', 'ZHIPUAI_API_KEY'] }, kimi: { envVar: 'KIMI_API_KEY' } },
 * });
 * const answer = await router.generate({ model: 'glm-4.6', request: { messages: [{ role: 'user', content: 'Hi' }] } }, { signal });
 */
export function createRouter(options: RouterOptions): Router {
  return new ModelRouter(options);
}
