import type { Exchange } from './exchange.js';
import { isRecord, respondJson } from './http-io.js';
import { kimiInvalid, kimiModelNotFound } from './kimi-errors.js';
import { kimiModels } from './kimi-models.js';
import { kimiPromptTokens } from './kimi-validate.js';
import { messagesOf } from './messages.js';
import type { SimState } from './state.js';

/** `GET /users/me/balance` (provider-wire.md §2.7): all of the balance is cash, no voucher. */
export function kimiBalance(exchange: Exchange, state: SimState): Promise<void> {
  const balance = state.kimiBalance;
  return respondJson(exchange, 200, {
    code: 0,
    data: { available_balance: balance, voucher_balance: 0, cash_balance: balance },
    scode: '0x0',
    status: true,
  });
}

/** `GET /models` in the shape of §2.7. */
export function kimiListModels(exchange: Exchange): Promise<void> {
  const data = [...kimiModels].map(([id, model]) => ({
    id,
    object: 'model',
    created: model.created,
    owned_by: 'moonshot',
    permission: [],
    root: '',
    parent: '',
  }));
  return respondJson(exchange, 200, { object: 'list', data });
}

/** `POST /tokenizers/estimate-token-count`: `{"data":{"total_tokens":N}}`, counted as chat counts prompts. */
export function kimiEstimateTokens(exchange: Exchange): Promise<void> {
  const body = exchange.body;
  if (!isRecord(body) || typeof body.model !== 'string') {
    const error = kimiInvalid('Invalid request: model is required');
    return respondJson(exchange, error.status, error.body);
  }
  if (!kimiModels.has(body.model)) {
    const error = kimiModelNotFound(body.model);
    return respondJson(exchange, error.status, error.body);
  }
  const messages = messagesOf(body);
  if (!messages || messages.length === 0) {
    const error = kimiInvalid('Invalid request: messages must not be empty');
    return respondJson(exchange, error.status, error.body);
  }
  return respondJson(exchange, 200, { data: { total_tokens: kimiPromptTokens(messages, body.tools) } });
}
