import { percentile } from '@exai/harness';
import { createModelRegistry, createRouter, type RoutedCall } from '@exai/router';
import type { Provider } from '@exai/router/spec';

/** Result of the decision benchmark: time of `router.explain` for an `auto` call over the full registry. */
export interface DecisionBenchResult {
  samples: number;
  models: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  /** The model the decision chose (a sanity check that the benchmark decides something real). */
  chosen: string;
}

/** A provider whose models are never called: `explain` does no I/O. */
const idle = (id: string): Provider => ({
  id,
  chatModel: () => {
    throw new Error('the decision benchmark makes no calls');
  },
});

/** A realistic `auto` call: a system prompt, two turns of history, a question, one function tool. */
export const decisionCall: RoutedCall = {
  model: 'auto',
  task: { tool: 'chat' },
  request: {
    messages: [
      { role: 'system', content: 'You are a careful senior engineer. Answer briefly and cite file names.' },
      { role: 'user', content: 'Why does the retry loop in src/retry.ts sleep after the last attempt? '.repeat(8) },
      { role: 'assistant', content: 'Because the loop checks the attempt count after the delay. '.repeat(6) },
      { role: 'user', content: 'Rewrite it so the last failure is thrown at once, and keep the jitter.' },
    ],
    tools: [{ type: 'function', name: 'read_file', description: 'Read a file of the repository', parameters: { type: 'object', properties: { path: { type: 'string' } } } }],
  },
};

/**
 * Time of one routing decision for `auto` over every registry model (both providers configured, no
 * breaker open): `router.explain` in a tight loop, each call timed on its own.
 */
export function runDecisionBench(options: { samples: number; warmup: number }): DecisionBenchResult {
  const registry = createModelRegistry({});
  const router = createRouter({ registry, providers: { glm: idle('glm'), kimi: idle('kimi') } });
  let chosen = '';
  for (let index = 0; index < options.warmup; index++) chosen = router.explain(decisionCall).model;
  const times = new Float64Array(options.samples);
  for (let index = 0; index < options.samples; index++) {
    const started = performance.now();
    router.explain(decisionCall);
    times[index] = performance.now() - started;
  }
  const sorted = Array.from(times).sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    samples: options.samples,
    models: registry.list().length,
    p50Us: percentile(sorted, 0.5) * 1000,
    p99Us: percentile(sorted, 0.99) * 1000,
    meanUs: (total / sorted.length) * 1000,
    chosen,
  };
}
