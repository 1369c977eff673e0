import type { CallOptions, Provider } from '@exai/router/spec';
import {
  estimateKimiTokens,
  getKimiBalance,
  listKimiModels,
  type KimiBalance,
  type KimiModel,
  type KimiTokenEstimateRequest,
} from './kimi-account.js';
import { createKimiCache, deleteKimiCache, type KimiCache, type KimiCacheRequest } from './kimi-cache.js';
import { KimiChatModel } from './kimi-chat-model.js';
import { createKimiContext, type KimiContext, type KimiProviderSettings } from './kimi-context.js';
import { KimiFiles } from './kimi-files.js';

/**
 * The Kimi (Moonshot) provider: chat models plus Kimi's account, files and cache endpoints.
 * Construction does no I/O; a missing API key fails the first call with `AuthenticationError`.
 */
export class KimiProvider implements Provider {
  readonly id = 'kimi';
  /** Upload, list and read files (`file-extract` text for chat, `image`/`video` for `ms://` references). */
  readonly files: KimiFiles;
  readonly #context: KimiContext;

  constructor(settings: KimiProviderSettings = {}) {
    this.#context = createKimiContext(settings);
    this.files = new KimiFiles(this.#context);
  }

  /** The chat model for a Kimi model id (`kimi-k2-0905-preview`, `kimi-k2-thinking`, `moonshot-v1-8k`, …). */
  chatModel(modelId: string): KimiChatModel {
    return new KimiChatModel(modelId, this.#context, this.files);
  }

  /** Prompt tokens the messages would cost on `modelId` (`POST /tokenizers/estimate-token-count`). */
  estimateTokens(request: KimiTokenEstimateRequest, options?: CallOptions): Promise<number> {
    return estimateKimiTokens(this.#context, request, options);
  }

  /** The account balance (`GET /users/me/balance`), in the host's currency. */
  balance(options?: CallOptions): Promise<KimiBalance> {
    return getKimiBalance(this.#context, options);
  }

  /** Model ids the key may use (`GET /models`). */
  listModels(options?: CallOptions): Promise<KimiModel[]> {
    return listKimiModels(this.#context, options);
  }

  /** Creates a legacy context cache (moonshot-v1 only); pass its id as `providerOptions.kimi.cacheId`. */
  createCache(request: KimiCacheRequest, options?: CallOptions): Promise<KimiCache> {
    return createKimiCache(this.#context, request, options);
  }

  /** Deletes a legacy context cache. */
  deleteCache(id: string, options?: CallOptions): Promise<void> {
    return deleteKimiCache(this.#context, id, options);
  }
}

/** Creates the Kimi provider. Settings default to `KIMI_API_KEY` and `https://api.moonshot.ai/v1`. */
export function createKimi(settings: KimiProviderSettings = {}): KimiProvider {
  return new KimiProvider(settings);
}

