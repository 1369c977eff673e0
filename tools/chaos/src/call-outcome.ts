import type { RequestOutcome } from './mcp-ws-client.js';

/** JSON-RPC code of the daemon's "over a limit, retry later" refusal. */
export const OVER_LIMIT_RPC_CODE = -32029;
/** JSON-RPC "internal error": never an acceptable answer. */
const INTERNAL_ERROR_RPC_CODE = -32603;

/**
 * What a `tools/call` came to, from the client's side:
 * - `ok`: a result that is not an error;
 * - `capacity`: a clear refusal to retry later — JSON-RPC `-32029` with `data.retry_after_ms`, or a
 *   tool error ending in `[over_capacity]`;
 * - `clear_error`: another error a client can act on (a tool error with a stable `[code]`, a
 *   JSON-RPC error with its code and message);
 * - `unexplained`: an internal error, a tool error without a stable code, a refusal without its
 *   retry-after;
 * - `lost`: no answer at all (the socket closed or the client gave up waiting).
 */
export type OutcomeClass = 'ok' | 'capacity' | 'clear_error' | 'unexplained' | 'lost';

/** One classified call. */
export interface ClassifiedCall {
  class: OutcomeClass;
  /** Short label for counting (`ok`, `rpc -32029 rate_user`, `tool over_capacity`, `closed 1006`, …). */
  label: string;
  /** The stable code: the refusal's `data.limit`, the tool error's `[code]`, or the JSON-RPC code. */
  code?: string;
  retryAfterMs?: number;
  /** The result's or error's text (for reports). */
  text?: string;
  /** `metadata.provider` and `metadata.model` of a successful chat. */
  provider?: string;
  model?: string;
  continuationId?: string;
}

interface ToolResult {
  isError?: boolean;
  content?: Array<{ type: string; text?: string }>;
  structuredContent?: { continuation_id?: string; metadata?: { provider?: string; model?: string; continuation_id?: string } };
}

/** The stable code a tool error's text ends with (`… [over_capacity]`). */
export function toolErrorCode(text: string): string | undefined {
  return /\[([a-z_]+)\]\s*$/.exec(text)?.[1];
}

/** Classifies the outcome of one `tools/call` (see {@link OutcomeClass}). */
export function classifyCall(outcome: RequestOutcome): ClassifiedCall {
  if (outcome.kind === 'closed') return { class: 'lost', label: `closed ${outcome.code}`, text: outcome.reason };
  if (outcome.kind === 'timeout') return { class: 'lost', label: 'no answer (client timeout)' };
  if (outcome.error) {
    const { code, message } = outcome.error;
    const data = (outcome.error.data ?? {}) as { limit?: unknown; retry_after_ms?: unknown };
    const retryAfterMs = typeof data.retry_after_ms === 'number' ? data.retry_after_ms : undefined;
    if (code === OVER_LIMIT_RPC_CODE) {
      const limit = typeof data.limit === 'string' ? data.limit : 'unknown';
      return retryAfterMs !== undefined
        ? { class: 'capacity', label: `rpc ${code} ${limit}`, code: limit, retryAfterMs, text: message }
        : { class: 'unexplained', label: `rpc ${code} without retry_after_ms`, code: limit, text: message };
    }
    if (code === INTERNAL_ERROR_RPC_CODE || !message) return { class: 'unexplained', label: `rpc ${code}`, code: String(code), text: message };
    return { class: 'clear_error', label: `rpc ${code}`, code: String(code), text: message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  const result = (outcome.result ?? {}) as ToolResult;
  const text = result.content?.find((part) => part.type === 'text')?.text ?? '';
  if (result.isError) {
    const code = toolErrorCode(text);
    if (code === undefined || code === 'internal_error') return { class: 'unexplained', label: `tool ${code ?? 'error without code'}`, text, ...(code ? { code } : {}) };
    if (code === 'over_capacity') return { class: 'capacity', label: 'tool over_capacity', code, text };
    return { class: 'clear_error', label: `tool ${code}`, code, text };
  }
  const metadata = result.structuredContent?.metadata;
  const continuationId = result.structuredContent?.continuation_id ?? metadata?.continuation_id;
  return {
    class: 'ok',
    label: 'ok',
    text,
    ...(metadata?.provider ? { provider: metadata.provider } : {}),
    ...(metadata?.model ? { model: metadata.model } : {}),
    ...(continuationId ? { continuationId } : {}),
  };
}

/** Counts of calls by class and by label. */
export class OutcomeTally {
  readonly byClass: Record<OutcomeClass, number> = { ok: 0, capacity: 0, clear_error: 0, unexplained: 0, lost: 0 };
  readonly byLabel = new Map<string, number>();
  /** A few examples of each label that is not `ok` (for reports). */
  readonly examples = new Map<string, string>();

  add(call: ClassifiedCall): void {
    this.byClass[call.class] += 1;
    this.addLabel(call.label);
    if (call.class !== 'ok' && !this.examples.has(call.label) && call.text) this.examples.set(call.label, call.text.slice(0, 300));
  }

  /** Counts a label without a class (calls never sent: their connection was refused). */
  addLabel(label: string, count = 1): void {
    this.byLabel.set(label, (this.byLabel.get(label) ?? 0) + count);
  }

  get total(): number {
    return Object.values(this.byClass).reduce((sum, value) => sum + value, 0);
  }

  /** `ok 480, rpc -32029 rate_user 20` — labels by decreasing count. */
  describe(): string {
    return [...this.byLabel.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([label, count]) => `${label} ${count}`)
      .join(', ');
  }
}
