import OpenAI from 'openai';
import { summarize, type SimulatorProcess, type Summary } from '@exai/harness';
import { createGlm } from '@exai/providers-glm';
import { createKimi } from '@exai/providers-kimi';
import { createModelRegistry, createRouter } from '@exai/router';
import type { ChatRequest } from '@exai/router/spec';

/** One measured way of making the same chat call. */
interface Contender {
  name: string;
  baseline: string | undefined;
  call: () => Promise<unknown>;
}

/** Result row of the provider-layer benchmark. */
export interface ProviderLayerRow extends Summary {
  name: string;
  /** Median of this contender divided by the median of its bare-SDK baseline. */
  medianRatio: number | undefined;
}

const prompt = 'Reply with a short sentence.';

/**
 * Per-call cost of exai's provider layer (and the router above it) against a bare openai SDK call to
 * the same simulator, interleaved in rounds so drift hits every contender alike.
 */
export async function runProviderLayerBench(sim: SimulatorProcess, options: { calls: number; rounds: number; warmup: number }): Promise<ProviderLayerRow[]> {
  const glmSdk = new OpenAI({ apiKey: 'bench', baseURL: sim.glmBaseURL, maxRetries: 0 });
  const kimiSdk = new OpenAI({ apiKey: 'bench', baseURL: sim.kimiBaseURL, maxRetries: 0 });
  const glm = createGlm({ apiKey: 'bench', baseURL: sim.glmBaseURL });
  const kimi = createKimi({ apiKey: 'bench', baseURL: sim.kimiBaseURL });
  const router = createRouter({
    registry: createModelRegistry({}),
    providers: { glm, kimi },
    providerSetup: { glm: { envVar: 'GLM_API_KEY' }, kimi: { envVar: 'KIMI_API_KEY' } },
  });
  const request: ChatRequest = { messages: [{ role: 'user', content: prompt }], maxTokens: 256 };
  const glmModel = glm.chatModel('glm-4.5-flash');
  const kimiModel = kimi.chatModel('kimi-k2-turbo-preview');

  const contenders: Contender[] = [
    {
      name: 'openai SDK → GLM (bare)',
      baseline: undefined,
      call: () => glmSdk.chat.completions.create({ model: 'glm-4.5-flash', messages: [{ role: 'user', content: prompt }], max_tokens: 256 }),
    },
    { name: '@exai/providers-glm', baseline: 'openai SDK → GLM (bare)', call: () => glmModel.generate(request) },
    { name: '@exai/router → GLM', baseline: 'openai SDK → GLM (bare)', call: () => router.generate({ model: 'glm-4.5-flash', request }) },
    {
      name: 'openai SDK → Kimi (bare)',
      baseline: undefined,
      call: () => kimiSdk.chat.completions.create({ model: 'kimi-k2-turbo-preview', messages: [{ role: 'user', content: prompt }], max_tokens: 256 }),
    },
    { name: '@exai/providers-kimi', baseline: 'openai SDK → Kimi (bare)', call: () => kimiModel.generate(request) },
    { name: '@exai/router → Kimi', baseline: 'openai SDK → Kimi (bare)', call: () => router.generate({ model: 'kimi-k2-turbo-preview', request }) },
  ];

  for (const contender of contenders) for (let index = 0; index < options.warmup; index++) await contender.call();
  const samples = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
  const perRound = Math.ceil(options.calls / options.rounds);
  for (let round = 0; round < options.rounds; round++) {
    for (const contender of contenders) {
      const sample = samples.get(contender.name) as number[];
      for (let index = 0; index < perRound; index++) {
        const started = performance.now();
        await contender.call();
        sample.push(performance.now() - started);
      }
    }
  }
  const summaries = new Map(contenders.map((contender) => [contender.name, summarize(samples.get(contender.name) as number[])]));
  return contenders.map((contender) => {
    const summary = summaries.get(contender.name) as Summary;
    const baseline = contender.baseline ? summaries.get(contender.baseline) : undefined;
    return { name: contender.name, ...summary, medianRatio: baseline ? summary.medianMs / baseline.medianMs : undefined };
  });
}
