import { noop, wrap, type IDefaultPolicyContext, type IPolicy } from 'cockatiel';

/** What the function run by a {@link ResiliencePipeline} receives. */
export interface PipelineContext {
  /** The innermost signal: aborted by a timeout policy, by the caller, or after the attempt returns. */
  signal: AbortSignal;
  /** Retry attempt (0 for the first call) when a retry policy is part of the pipeline. */
  attempt?: number;
}

/** Policies composed into one: `execute(fn, signal)` runs `fn` through each of them, outermost first. */
export interface ResiliencePipeline {
  execute<T>(fn: (context: PipelineContext) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T>;
}

/** Any cockatiel policy (our factories return cockatiel policies or implement `IPolicy`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- cockatiel's own wrap() accepts any context type
export type AnyPolicy = IPolicy<IDefaultPolicyContext, any>;

/**
 * Composes policies with cockatiel's `wrap`, outermost first: `composePolicies(retry, breaker, timeout)`
 * retries calls that go through the breaker, each attempt under its own timeout. The caller's signal
 * given to `execute` flows through every layer to the function. No policies gives a pass-through.
 */
export function composePolicies(...policies: AnyPolicy[]): ResiliencePipeline {
  if (policies.length === 0) return noop as ResiliencePipeline;
  if (policies.length === 1) return policies[0] as ResiliencePipeline;
  return wrap(...policies) as ResiliencePipeline;
}
