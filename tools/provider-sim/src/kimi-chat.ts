import type { Exchange } from './exchange.js';
import { respondJson } from './http-io.js';
import { buildKimiCompletion, kimiCompletionBody } from './kimi-completion.js';
import { kimiQuotaError, kimiStatusError } from './kimi-errors.js';
import { kimiStreamChunks } from './kimi-stream.js';
import { validateKimiChat } from './kimi-validate.js';
import { writeSse } from './sse.js';
import type { SimState } from './state.js';

/** Handles Kimi `POST /chat/completions` (provider-wire.md §2.2–§2.5). */
export async function kimiChat(exchange: Exchange, state: SimState): Promise<void> {
  // An empty balance blocks inference with a 429, not a 402 (§2.9).
  if (state.kimiBalance <= 0) {
    const error = kimiQuotaError(state.kimiBalance);
    return respondJson(exchange, error.status, error.body);
  }
  const checked = validateKimiChat(exchange.body, state);
  if ('error' in checked) return respondJson(exchange, checked.error.status, checked.error.body);
  const { request } = checked;
  const completion = buildKimiCompletion(request, exchange.plan, state);
  if (!request.stream) return respondJson(exchange, 200, kimiCompletionBody(completion));
  return writeSse(exchange, kimiStreamChunks(completion, request.includeUsage), {
    contentType: 'text/event-stream; charset=utf-8',
    errorEvent: exchange.plan.streamError ? JSON.stringify(kimiStatusError(500).body) : undefined,
  });
}
