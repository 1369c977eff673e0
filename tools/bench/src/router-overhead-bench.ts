import { summarize, type SimulatorProcess, type Summary } from '@exai/harness';
import { createGlm } from '@exai/providers-glm';
import { createKimi } from '@exai/providers-kimi';
import { createModelRegistry, createRouter } from '@exai/router';
import type { ChatRequest } from '@exai/router/spec';

/** One row of the router-overhead benchmark. */
export interface RouterOverheadRow extends Summary {
  name: string;
  /** Median divided by the median of the bare provider call (no signal) to the same vendor. */
  ratioToBare: number | undefined;
  /** Median divided by the median of the provider call made with an AbortSignal. */
  ratioToSignal: number | undefined;
}

interface Contender {
  name: string;
  bare?: string;
  signal?: string;
  call: () => Promise<unknown>;
}

const request: ChatRequest = { messages: [{ role: 'user', content: 'Reply with a short sentence.' }], maxTokens: 256 };

/**
 * Cost of the whole router (selection, decision, preparation, bulkheads, breakers, attempt deadline,
 * cost accounting) over a bare provider call to the simulator at zero latency. Calls are interleaved
 * one by one, in an order that rotates every cycle, so drift, GC debt and the neighbour's cache
 * effects fall on every contender alike.
 *
 * Two baselines: the provider called without a signal, and called with an AbortSignal, as every
 * routed call and every MCP tool call is (the router must pass one to time attempts out). The
 * difference between the two is the openai SDK's own per-request signal bookkeeping.
 */
export async function runRouterOverheadBench(sim: SimulatorProcess, options: { cycles: number; warmup: number }): Promise<RouterOverheadRow[]> {
  const glm = createGlm({ apiKey: 'bench', baseURL: sim.glmBaseURL });
  const kimi = createKimi({ apiKey: 'bench', baseURL: sim.kimiBaseURL });
  const router = createRouter({ registry: createModelRegistry({}), providers: { glm, kimi } });
  const glmModel = glm.chatModel('glm-4.5-flash');
  const kimiModel = kimi.chatModel('kimi-k2-turbo-preview');
  const contenders: Contender[] = [
    { name: '@exai/providers-glm', call: () => glmModel.generate(request) },
    { name: '@exai/providers-glm + AbortSignal', call: () => glmModel.generate(request, { signal: new AbortController().signal }) },
    { name: '@exai/router → GLM', bare: '@exai/providers-glm', signal: '@exai/providers-glm + AbortSignal', call: () => router.generate({ model: 'glm-4.5-flash', request }) },
    // Automatic selection picks glm-4.5-flash (the free fast model) for this prompt.
    { name: '@exai/router auto → GLM', bare: '@exai/providers-glm', signal: '@exai/providers-glm + AbortSignal', call: () => router.generate({ model: 'auto', request }) },
    { name: '@exai/providers-kimi', call: () => kimiModel.generate(request) },
    { name: '@exai/providers-kimi + AbortSignal', call: () => kimiModel.generate(request, { signal: new AbortController().signal }) },
    {
      name: '@exai/router → Kimi',
      bare: '@exai/providers-kimi',
      signal: '@exai/providers-kimi + AbortSignal',
      call: () => router.generate({ model: 'kimi-k2-turbo-preview', request }),
    },
  ];

  for (let index = 0; index < options.warmup; index++) for (const contender of contenders) await contender.call();
  const samples = contenders.map(() => new Array<number>());
  for (let cycle = 0; cycle < options.cycles; cycle++) {
    for (let offset = 0; offset < contenders.length; offset++) {
      const index = (cycle + offset) % contenders.length;
      const started = performance.now();
      await (contenders[index] as Contender).call();
      (samples[index] as number[]).push(performance.now() - started);
    }
  }
  const summaries = new Map(contenders.map((contender, index) => [contender.name, summarize(samples[index] as number[])]));
  const ratio = (summary: Summary, baseline: string | undefined): number | undefined => {
    const base = baseline === undefined ? undefined : summaries.get(baseline);
    return base ? summary.medianMs / base.medianMs : undefined;
  };
  return contenders.map((contender) => {
    const summary = summaries.get(contender.name) as Summary;
    return { name: contender.name, ...summary, ratioToBare: ratio(summary, contender.bare), ratioToSignal: ratio(summary, contender.signal) };
  });
}
