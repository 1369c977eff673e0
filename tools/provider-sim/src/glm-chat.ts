import { buildGlmCompletion, glmCompletionBody } from './glm-completion.js';
import { glmStatusError } from './glm-errors.js';
import { glmStreamChunks } from './glm-stream.js';
import { validateGlmChat } from './glm-validate.js';
import type { Exchange } from './exchange.js';
import { respondJson } from './http-io.js';
import { writeSse } from './sse.js';
import type { SimState } from './state.js';

/** Handles GLM `POST /chat/completions` (provider-wire.md §1.2–§1.6). */
export async function glmChat(exchange: Exchange, state: SimState): Promise<void> {
  const checked = validateGlmChat(exchange.body);
  if ('error' in checked) return respondJson(exchange, checked.error.status, checked.error.body);
  const { request } = checked;
  const completion = buildGlmCompletion(request, exchange.plan, state.glmPromptCache);
  if (!request.stream) return respondJson(exchange, 200, glmCompletionBody(completion));
  return writeSse(exchange, glmStreamChunks(completion), {
    contentType: 'text/event-stream;charset=UTF-8',
    errorEvent: exchange.plan.streamError ? JSON.stringify(glmStatusError(500).body) : undefined,
  });
}
