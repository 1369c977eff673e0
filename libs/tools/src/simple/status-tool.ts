import type { BulkheadStatus, KeyStatus } from '@exai/router';
import type { ToolCall } from '@exai/storage';
import { z } from 'zod';
import { defineTool, type ToolDependencies } from '../tool-definition.js';
import { redactSecrets } from '../redact-secrets.js';
import { describeBreaker, describeKey, keyUsable } from './router-health.js';
import { clip } from './time-window.js';

/** How many of the caller's recent failed calls `status` shows. */
const RECENT_ERRORS = 10;

/** Structured output of `status`. */
export const statusOutputShape = {
  healthy: z.boolean(),
  problems: z.array(z.string()),
  configured_providers: z.array(z.string()),
  /** Provider keys by label (`glm#1`), never the key. */
  keys: z.array(z.object({ label: z.string(), state: z.string(), in_flight: z.number(), note: z.string().optional() })),
  /** Model breakers that are not closed. */
  model_breakers: z.array(z.object({ model: z.string(), state: z.string(), retry_after_ms: z.number().optional() })),
  bulkheads: z.array(z.object({ scope: z.string(), name: z.string(), in_flight: z.number(), queued: z.number(), limit: z.number(), queue_limit: z.number() })),
  recent_errors: z.array(z.object({ at: z.string(), tool: z.string(), code: z.string().optional(), message: z.string() })),
  storage: z.object({ kind: z.string(), state: z.string(), journal_backlog: z.number(), journal_replayed: z.number(), last_error: z.string().optional() }),
};

export type StatusOutput = z.infer<z.ZodObject<typeof statusOutputShape>>;
type BulkheadOutput = StatusOutput['bulkheads'][number];

function keyOutput(key: KeyStatus): StatusOutput['keys'][number] {
  const notes: string[] = [];
  if (key.breaker.retryAfterMs !== undefined) notes.push(`retry in ${Math.ceil(key.breaker.retryAfterMs / 1000)} s`);
  if (key.isolatedBy !== undefined) notes.push(`out of rotation: ${key.isolatedBy}`);
  if (key.rateLimitedForMs !== undefined) notes.push(`rate-limited for ${Math.ceil(key.rateLimitedForMs / 1000)} s`);
  return { label: key.label, state: key.breaker.state, in_flight: key.inFlight, ...(notes.length ? { note: notes.join(', ') } : {}) };
}

/**
 * The global and provider bulkheads, the caller's own session, and the other sessions summed into
 * one row: another session's id is not the caller's to see (in the daemon, ids belong to other users).
 */
function bulkheadOutput(bulkheads: readonly BulkheadStatus[], session: string | undefined): BulkheadOutput[] {
  const rows: BulkheadOutput[] = [];
  const others: BulkheadOutput = { scope: 'session', name: '', in_flight: 0, queued: 0, limit: 0, queue_limit: 0 };
  let otherCount = 0;
  for (const bulkhead of bulkheads) {
    const row = { scope: bulkhead.scope, name: bulkhead.name, in_flight: bulkhead.inFlight, queued: bulkhead.queued, limit: bulkhead.limit, queue_limit: bulkhead.queueLimit };
    if (bulkhead.scope !== 'session') rows.push(row);
    else if (bulkhead.name === session) rows.push({ ...row, name: 'this session' });
    else {
      otherCount++;
      others.in_flight += row.in_flight;
      others.queued += row.queued;
      others.limit = row.limit;
      others.queue_limit = row.queue_limit;
    }
  }
  if (otherCount > 0) rows.push({ ...others, name: `other sessions (${otherCount})` });
  return rows;
}

function errorOutput(call: ToolCall): StatusOutput['recent_errors'][number] {
  // The stored message ends with its code (`… [quota_exhausted]`); the code has its own field.
  const message = (call.errorMessage ?? '').replace(/\s*\[[a-z_]+\]\s*$/, '');
  return {
    at: (call.finishedAt ?? call.startedAt).toISOString(),
    tool: call.tool,
    ...(call.errorCode === undefined ? {} : { code: call.errorCode }),
    message: redactSecrets(clip(message, 300).text),
  };
}

/** The caller's newest failed calls (errors and timeouts); storage trouble becomes a problem, not a failure. */
async function recentErrors(deps: ToolDependencies, problems: string[]): Promise<StatusOutput['recent_errors']> {
  try {
    const [errors, timeouts] = await Promise.all([
      deps.storage.toolCalls.list({ status: 'error', limit: RECENT_ERRORS }),
      deps.storage.toolCalls.list({ status: 'timeout', limit: RECENT_ERRORS }),
    ]);
    return [...errors, ...timeouts]
      .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
      .slice(0, RECENT_ERRORS)
      .map(errorOutput);
  } catch (error) {
    problems.push(`recent errors could not be read from storage: ${redactSecrets(error instanceof Error ? error.message : String(error))}`);
    return [];
  }
}

/** The health report behind `status`: providers and keys, breakers, bulkheads, recent errors, storage. */
export async function collectStatus(deps: ToolDependencies): Promise<StatusOutput> {
  const router = deps.router.status();
  const storage = deps.storageStatus();
  const problems: string[] = [];

  const configured = new Set(deps.providers.filter((provider) => provider.configured).map((provider) => provider.provider));
  for (const key of router.keys) {
    configured.add(key.provider);
    if (!keyUsable(key)) problems.push(`key ${describeKey(key)}`);
  }
  if (configured.size === 0) problems.push('no provider is configured: set GLM_API_KEY or KIMI_API_KEY');
  for (const provider of configured) {
    const keys = router.keys.filter((key) => key.provider === provider);
    if (keys.length > 0 && !keys.some(keyUsable)) problems.push(`every ${provider} key is out of rotation`);
  }

  const modelBreakers = router.models.filter((breaker) => breaker.state !== 'closed');
  for (const breaker of modelBreakers) problems.push(`model ${breaker.name}: breaker ${describeBreaker(breaker)}`);

  const bulkheads = bulkheadOutput(router.bulkheads, deps.session);
  for (const bulkhead of bulkheads) if (bulkhead.queued > 0) problems.push(`${bulkhead.scope} ${bulkhead.name}: ${bulkhead.queued} call${bulkhead.queued === 1 ? '' : 's'} queued`);

  if (storage.state !== 'up') problems.push(`storage ${storage.state}${storage.journalBacklog > 0 ? `, ${storage.journalBacklog} writes waiting in the journal` : ''}`);

  const recent = await recentErrors(deps, problems);
  return {
    healthy: problems.length === 0,
    problems,
    configured_providers: [...configured],
    keys: router.keys.map(keyOutput),
    model_breakers: modelBreakers.map((breaker) => ({
      model: breaker.name,
      state: breaker.state,
      ...(breaker.retryAfterMs === undefined ? {} : { retry_after_ms: breaker.retryAfterMs }),
    })),
    bulkheads,
    recent_errors: recent,
    storage: {
      kind: storage.kind,
      state: storage.state,
      journal_backlog: storage.journalBacklog,
      journal_replayed: storage.journalReplayed,
      ...(storage.lastError === undefined ? {} : { last_error: redactSecrets(clip(storage.lastError, 300).text) }),
    },
  };
}

/** Plain-text rendering of `status`. */
export function renderStatus(output: StatusOutput): string {
  const lines = [output.healthy ? 'Healthy.' : `Problems:\n${output.problems.map((problem) => `- ${problem}`).join('\n')}`, ''];
  lines.push(`Providers configured: ${output.configured_providers.length ? output.configured_providers.join(', ') : 'none'}`);
  lines.push(`Keys: ${output.keys.length ? output.keys.map((key) => `${key.label} ${key.state}${key.note ? ` (${key.note})` : ''}, ${key.in_flight} in flight`).join('; ') : 'none reported'}`);
  lines.push(`Model breakers not closed: ${output.model_breakers.length ? output.model_breakers.map((breaker) => `${breaker.model} ${breaker.state}`).join(', ') : 'none'}`);
  lines.push('Calls in flight / queued (limit):');
  for (const bulkhead of output.bulkheads) lines.push(`- ${bulkhead.scope === bulkhead.name ? bulkhead.name : `${bulkhead.scope} ${bulkhead.name}`}: ${bulkhead.in_flight} / ${bulkhead.queued} (${bulkhead.limit}, queue ${bulkhead.queue_limit})`);
  const storage = output.storage;
  lines.push(
    `Storage: ${storage.kind}, ${storage.state}, journal backlog ${storage.journal_backlog}, replayed ${storage.journal_replayed}${storage.last_error ? `, last error: ${storage.last_error}` : ''}`,
  );
  lines.push(`Your recent errors:${output.recent_errors.length ? '' : ' none'}`);
  for (const error of output.recent_errors) lines.push(`- ${error.at} ${error.tool}${error.code ? ` [${error.code}]` : ''}: ${error.message}`);
  return lines.join('\n');
}

/** `status`: is exai healthy right now, and if not, what is wrong. */
export const statusTool = defineTool({
  name: 'status',
  title: 'Server status',
  description: 'Health: key and model breakers, calls in flight and queued, your recent errors, storage.',
  inputShape: {},
  outputShape: statusOutputShape,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  profile: 'lean',
  async run(_input, context) {
    const output = await collectStatus(context.deps);
    return { content: [{ type: 'text', text: renderStatus(output) }], structuredContent: output };
  },
});
