import type { Usage } from '@exai/router/spec';
import type { CapacityScope } from './router-errors.js';
import type { RoutingDecision } from './routing-decision.js';

/** What happened to one attempt of a routed call. */
export type AttemptOutcome =
  /** It answered (for a stream: its first content part arrived). */
  | 'success'
  /** It failed and the same model was tried again. */
  | 'retried'
  /** It failed with a key problem (revoked, out of quota, rate-limited) and another key was tried. */
  | 'key-switched'
  /** It failed and the call moved to the next model of the chain. */
  | 'fell-back'
  /** It failed and the call ended with its error. */
  | 'failed'
  /** No call was made: the target's breaker was open or its provider had no free slot. */
  | 'skipped';

/** One attempt of a routed call (`attemptLog`). Key labels never contain the key itself. */
export interface AttemptRecord {
  model: string;
  provider: string;
  /** The provider key's label: `glm#1`, `kimi#2`. */
  key: string;
  outcome: AttemptOutcome;
  /** The error's code (`provider_unavailable`, `rate_limited`, `timeout`, `breaker_open`, `over_capacity`, …). */
  code?: string;
  durationMs: number;
}

/** A model and key a call used or moved to. */
export interface TargetRef {
  model: string;
  provider: string;
  key?: string;
}

/** `decision`: a call was routed (before any attempt). */
export interface DecisionEvent {
  decision: RoutingDecision;
  session: string | undefined;
  tool: string | undefined;
}

/** `retry`: an attempt failed and the same model will be tried again after `delayMs`. */
export interface RetryEvent extends TargetRef {
  key: string;
  /** Number of the retry about to happen on this model, from 1. */
  attempt: number;
  delayMs: number;
  code: string | undefined;
}

/** `fallback`: the call leaves `from` for `to`. */
export interface FallbackEvent {
  from: TargetRef;
  to: TargetRef;
  /** The error code that caused it (`provider_unavailable`, `quota_exhausted`, `context_too_long`, `breaker_open`, …). */
  code: string | undefined;
}

/** Circuit breaker states. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/** `breaker`: a breaker changed state. */
export interface BreakerEvent {
  /** `key`: one provider key (`glm#1`); `model`: one model id. */
  kind: 'key' | 'model';
  name: string;
  state: BreakerState;
  previous: BreakerState;
}

/** `rejected`: a call was refused for capacity (`OverCapacityError`). */
export interface RejectedEvent {
  scope: CapacityScope;
  name: string;
  limit: number;
  retryAfterMs: number;
  session: string | undefined;
}

/** `call`: a routed call finished (a stream: when it ended), successfully or not. */
export interface CallEvent {
  ok: boolean;
  stream: boolean;
  /** The model that answered, or the last one tried. */
  model: string | undefined;
  provider: string | undefined;
  key: string | undefined;
  /** The error code when `ok` is false. */
  code: string | undefined;
  costUsd: number;
  /** Usage of the answering call. */
  usage: Usage | undefined;
  /** Usage summed over every attempt that reported it. */
  totalUsage: Usage;
  durationMs: number;
  attempts: AttemptRecord[];
  decision: RoutingDecision | undefined;
  session: string | undefined;
  tool: string | undefined;
}

/** Events of `router.events`, by type. */
export interface RouterEventMap {
  decision: DecisionEvent;
  retry: RetryEvent;
  fallback: FallbackEvent;
  breaker: BreakerEvent;
  rejected: RejectedEvent;
  call: CallEvent;
}

/** A router event type. */
export type RouterEventType = keyof RouterEventMap;

/** Listener of one event type. */
export type RouterEventListener<K extends RouterEventType> = (event: RouterEventMap[K]) => void;

/**
 * `router.events`: typed subscription to what the router does, for logs, metrics and the status tool.
 * Listeners run synchronously; one that throws is logged and does not affect the call. An event type
 * without listeners costs nothing: its payload is never built.
 */
export interface RouterEvents {
  on<K extends RouterEventType>(type: K, listener: RouterEventListener<K>): this;
  off<K extends RouterEventType>(type: K, listener: RouterEventListener<K>): this;
  listenerCount(type: RouterEventType): number;
}

type ListenerLists = { [K in RouterEventType]: Array<RouterEventListener<K>> };

/** The router's event hub. `has(type)` is a field read, so the router checks it before building a payload. */
export class RouterEventHub implements RouterEvents {
  private readonly lists: ListenerLists = { decision: [], retry: [], fallback: [], breaker: [], rejected: [], call: [] };

  constructor(private readonly onListenerError: (error: unknown, type: RouterEventType) => void) {}

  on<K extends RouterEventType>(type: K, listener: RouterEventListener<K>): this {
    // Copy on write, so an emit in progress keeps iterating the list it started with.
    (this.lists as Record<RouterEventType, unknown[]>)[type] = [...this.lists[type], listener];
    return this;
  }

  off<K extends RouterEventType>(type: K, listener: RouterEventListener<K>): this {
    const list = this.lists[type] as Array<RouterEventListener<K>>;
    const index = list.lastIndexOf(listener);
    if (index !== -1) (this.lists as Record<RouterEventType, unknown[]>)[type] = [...list.slice(0, index), ...list.slice(index + 1)];
    return this;
  }

  listenerCount(type: RouterEventType): number {
    return this.lists[type].length;
  }

  /** Whether anyone listens to `type`. */
  has(type: RouterEventType): boolean {
    return this.lists[type].length > 0;
  }

  emit<K extends RouterEventType>(type: K, event: RouterEventMap[K]): void {
    for (const listener of this.lists[type] as Array<RouterEventListener<K>>) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, type);
      }
    }
  }
}
