import type { ToolCall, UsageTotals } from '@exai/storage';
import { z } from 'zod';
import { defineTool } from '../tool-definition.js';
import { canonicalToolName } from '../tool-registry.js';
import { redactSecrets } from '../redact-secrets.js';
import { clip, parseSince } from './time-window.js';

const DEFAULT_SINCE = '7d';

const callStatuses = ['running', 'success', 'error', 'cancelled', 'timeout'] as const;

/** Inputs of `activity`. */
export const activityInputShape = {
  tool: z.string().optional().describe('Only calls of this tool'),
  status: z.enum(callStatuses).optional().describe('Only calls with this outcome'),
  since: z.string().optional().describe(`ISO time or span back: 30m, 1h, 2d (default ${DEFAULT_SINCE})`),
  limit: z.number().int().min(1).max(100).optional().describe('Most calls to list (default 20)'),
};


/** Structured output of `activity`. */
export const activityOutputShape = {
  since: z.string(),
  calls: z.array(
    z.object({
      started_at: z.string(),
      tool: z.string(),
      status: z.string(),
      duration_ms: z.number().optional(),
      model: z.string().optional(),
      continuation_id: z.string().optional(),
      error: z.string().optional(),
    }),
  ),
  /** Model usage of every tool since `since`. */
  usage: z.object({
    calls: z.number(),
    input_tokens: z.number(),
    output_tokens: z.number(),
    cost_usd: z.number(),
    by_day: z.array(z.object({ day: z.string(), calls: z.number(), tokens: z.number(), cost_usd: z.number() })),
  }),
};

export type ActivityOutput = z.infer<z.ZodObject<typeof activityOutputShape>>;

function callOutput(call: ToolCall): ActivityOutput['calls'][number] {
  const error = call.errorMessage === undefined ? undefined : redactSecrets(clip(call.errorMessage, 200).text);
  return {
    started_at: call.startedAt.toISOString(),
    tool: call.tool,
    status: call.status,
    ...(call.durationMs === undefined ? {} : { duration_ms: call.durationMs }),
    ...(call.model === undefined ? {} : { model: call.provider ? `${call.provider}/${call.model}` : call.model }),
    ...(call.continuationId === undefined ? {} : { continuation_id: call.continuationId }),
    ...(error === undefined ? {} : { error }),
  };
}

/** Sums of model usage per day and over the whole period. */
function usageSummary(days: readonly UsageTotals[]): ActivityOutput['usage'] {
  const total = { calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
  for (const day of days) {
    total.calls += day.calls;
    total.input_tokens += day.inputTokens;
    total.output_tokens += day.outputTokens;
    total.cost_usd += day.costUsd;
  }
  // Cost is stored as numeric(…, 8); summing floats must not show 0.30000000000000004.
  total.cost_usd = Math.round(total.cost_usd * 1e8) / 1e8;
  return { ...total, by_day: days.map((day) => ({ day: day.day, calls: day.calls, tokens: day.totalTokens, cost_usd: day.costUsd })) };
}

/** `|` would end a Markdown table cell. */
const cell = (text: string | number | undefined): string => (text === undefined ? '' : String(text).replace(/\|/g, '\\|').replace(/\s+/g, ' '));

/** Plain-text rendering of `activity`: a Markdown table of calls and the usage totals. */
export function renderActivity(output: ActivityOutput): string {
  const lines: string[] = [];
  if (output.calls.length === 0) lines.push(`No tool calls since ${output.since} match.`);
  else {
    lines.push('| started | tool | status | ms | model | continuation_id | error |', '|---|---|---|---|---|---|---|');
    for (const call of output.calls) {
      lines.push(`| ${[call.started_at, call.tool, call.status, call.duration_ms, call.model, call.continuation_id, call.error].map(cell).join(' | ')} |`);
    }
  }
  const usage = output.usage;
  lines.push(
    '',
    `Model usage since ${output.since} (all tools): ${usage.calls} calls, ${usage.input_tokens} in / ${usage.output_tokens} out tokens, $${usage.cost_usd.toFixed(4)}`,
  );
  for (const day of usage.by_day) lines.push(`- ${day.day}: ${day.calls} calls, ${day.tokens} tokens, $${day.cost_usd.toFixed(4)}`);
  return lines.join('\n');
}

/** `activity`: the caller's recent tool calls and model usage, from storage. */
export const activityTool = defineTool({
  name: 'activity',
  title: 'Recent activity',
  description: 'Your recent exai tool calls (filter by tool, status, time) and model usage and cost.',
  inputShape: activityInputShape,
  outputShape: activityOutputShape,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  profile: 'standard',
  async run(input, context) {
    const deps = context.deps;
    const now = deps.now?.() ?? new Date();
    const since = parseSince(input.since ?? DEFAULT_SINCE, now);
    const tool = input.tool === undefined || input.tool.trim() === '' ? undefined : canonicalToolName(input.tool);
    const [calls, days] = await Promise.all([
      deps.storage.toolCalls.list({ ...(tool ? { tool } : {}), ...(input.status ? { status: input.status } : {}), since, limit: input.limit ?? 20 }),
      deps.storage.usage.totalsByDay({ since }),
    ]);
    const output: ActivityOutput = { since: since.toISOString(), calls: calls.map(callOutput), usage: usageSummary(days) };
    return { content: [{ type: 'text', text: renderActivity(output) }], structuredContent: output };
  },
});
