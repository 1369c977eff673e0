import type { CallOptions, ChatMessage } from '@exai/router/spec';
import { callKimi } from './call-kimi.js';
import { convertMessages } from './convert-messages.js';
import { sdkRequestOptions, type KimiContext } from './kimi-context.js';
import { kimiModelTraits } from './kimi-model-traits.js';
import { kimiBalanceSchema, kimiModelListSchema, kimiTokenEstimateSchema } from './kimi-wire.js';
import { parseWire } from './parse-wire.js';

/** Input of `estimateTokens`: the same model and messages a chat call would send. */
export interface KimiTokenEstimateRequest {
  modelId: string;
  messages: ChatMessage[];
}

/** The account balance, in the currency of the host (USD on api.moonshot.ai, CNY on .cn; provider-wire.md §2.7). */
export interface KimiBalance {
  /** Spendable total; at or below 0 every chat call fails with `QuotaExhaustedError`. */
  available: number;
  voucher: number;
  /** May be negative. */
  cash: number;
}

/** A model listed by `GET /models`. */
export interface KimiModel {
  id: string;
  ownedBy: string | undefined;
  /** Unix seconds. */
  created: number | undefined;
}

/** `POST /tokenizers/estimate-token-count`: prompt tokens of `messages` for `modelId` (images count too). */
export async function estimateKimiTokens(
  context: KimiContext,
  request: KimiTokenEstimateRequest,
  options?: CallOptions,
): Promise<number> {
  const messages = convertMessages(request.messages, { modelId: request.modelId, traits: kimiModelTraits(request.modelId), warnings: [] });
  return callKimi(context, { operation: 'token estimate' }, options, async (client, signal) => {
    const body = await client.post('/tokenizers/estimate-token-count', {
      ...sdkRequestOptions(options, signal),
      body: { model: request.modelId, messages },
    });
    return parseWire(kimiTokenEstimateSchema, body, 'token estimate').data.total_tokens;
  });
}

/** `GET /users/me/balance`. */
export function getKimiBalance(context: KimiContext, options?: CallOptions): Promise<KimiBalance> {
  return callKimi(context, { operation: 'balance' }, options, async (client, signal) => {
    const { data } = parseWire(kimiBalanceSchema, await client.get('/users/me/balance', sdkRequestOptions(options, signal)), 'balance');
    return { available: data.available_balance, voucher: data.voucher_balance ?? 0, cash: data.cash_balance ?? 0 };
  });
}

/** `GET /models`: the ids the key may use. */
export function listKimiModels(context: KimiContext, options?: CallOptions): Promise<KimiModel[]> {
  return callKimi(context, { operation: 'model list' }, options, async (client, signal) => {
    const { data } = parseWire(kimiModelListSchema, await client.get('/models', sdkRequestOptions(options, signal)), 'model list');
    return data.map((model) => ({ id: model.id, ownedBy: model.owned_by ?? undefined, created: model.created ?? undefined }));
  });
}
