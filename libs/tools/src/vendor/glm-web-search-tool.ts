import { z } from 'zod';
import { defineTool, type ToolContext } from '../tool-definition.js';
import { glmVendor, type GlmSearchRequest } from './vendor-clients.js';

/** GLM's price of one standalone search when the registry has none (provider-wire.md §1.6: $0.01). */
const DEFAULT_SEARCH_PRICE_USD = 0.01;

export const glmWebSearchInputShape = {
  query: z.string().trim().min(1).max(500),
  count: z.number().int().min(1).max(50).optional().describe('Default 10.'),
  recency: z.enum(['oneDay', 'oneWeek', 'oneMonth', 'oneYear', 'noLimit']).optional(),
  domain: z.string().optional().describe('Only this domain.'),
  content_size: z.enum(['medium', 'high']).optional().describe('Snippets ≈500 or ≈2,500 chars.'),
};

export const glmWebSearchOutputShape = {
  query: z.string(),
  results: z.array(
    z.object({
      title: z.string(),
      url: z.string(),
      content: z.string().optional(),
      publish_date: z.string().optional(),
    }),
  ),
  request_id: z.string().optional(),
  cost_usd: z.number(),
  duration_ms: z.number(),
};

type Input = z.infer<z.ZodObject<typeof glmWebSearchInputShape>>;
export type GlmWebSearchOutput = z.infer<z.ZodObject<typeof glmWebSearchOutputShape>>;

/** `glm_web_search`: GLM's standalone Web Search API (`POST /web_search`), results as structured data. */
export const glmWebSearchTool = defineTool({
  name: 'glm_web_search',
  title: 'GLM web search',
  description: "Search the web with GLM's search API; returns titles, URLs, snippets and dates.",
  inputShape: glmWebSearchInputShape,
  outputShape: glmWebSearchOutputShape,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  profile: 'standard',
  run: (input, context) => runSearch(input, context),
});

async function runSearch(input: Input, context: ToolContext) {
  const { deps } = context;
  const glm = glmVendor(deps, 'glm_web_search');
  const request: GlmSearchRequest = { query: input.query };
  if (input.count !== undefined) request.count = input.count;
  if (input.recency) request.recency = input.recency;
  if (input.domain) request.domainFilter = input.domain;
  if (input.content_size) request.contentSize = input.content_size;
  const started = Date.now();
  const response = await glm.webSearch(request, context.signal ? { signal: context.signal } : {});
  const costUsd = searchPrice(context);
  const output: GlmWebSearchOutput = {
    query: input.query,
    results: response.results.map((hit) => ({
      title: hit.title,
      url: hit.url,
      ...(hit.content ? { content: hit.content } : {}),
      ...(hit.publishDate ? { publish_date: hit.publishDate } : {}),
    })),
    cost_usd: costUsd,
    duration_ms: Date.now() - started,
  };
  if (response.requestId ?? response.id) output.request_id = response.requestId ?? response.id;
  // The search is billed although no model answered: count it with the user's usage.
  await deps.storage.usage
    .append({ provider: 'glm', model: 'web_search', tool: 'glm_web_search', usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: 0 }, webSearchCalls: 1, costUsd })
    .catch((error: unknown) => context.logger.warn({ tool: 'glm_web_search', err: error }, 'could not record the search'));
  return { content: [{ type: 'text' as const, text: renderResults(output) }], structuredContent: output };
}

function searchPrice(context: ToolContext): number {
  const glmModel = context.deps.router.listModels().find((model) => model.info.provider === 'glm');
  return glmModel?.info.prices.perWebSearch ?? DEFAULT_SEARCH_PRICE_USD;
}

function renderResults(output: GlmWebSearchOutput): string {
  if (output.results.length === 0) return `No results for "${output.query}".`;
  const lines = output.results.map((hit, index) => {
    const date = hit.publish_date ? ` (${hit.publish_date})` : '';
    const snippet = hit.content ? `\n   ${hit.content.replace(/\s+/g, ' ').slice(0, 300)}` : '';
    return `[${index + 1}] ${hit.title}${date} — ${hit.url}${snippet}`;
  });
  return `${lines.join('\n')}\n— GLM web search · ${output.results.length} results · $${output.cost_usd.toFixed(3)} · ${output.duration_ms} ms`;
}
