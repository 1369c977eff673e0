import { InvalidRequestError, type CallOptions, type ChatModel, type Provider } from '@exai/router/spec';
import { GlmChatModel } from './glm-chat-model.js';
import { GLM_PROVIDER_ID, GlmClient, type GlmProviderSettings } from './glm-client.js';
import { GlmFiles } from './glm-files.js';
import { glmWebSearch, type GlmWebSearchRequest, type GlmWebSearchResponse } from './glm-web-search.js';

/**
 * The GLM (Z.ai / ZhipuAI) provider: chat models, the standalone Web Search API and the files API,
 * all over one openai SDK client (`maxRetries: 0`: exai's resilience layer decides on retries).
 */
export class GlmProvider implements Provider {
  readonly id = GLM_PROVIDER_ID;
  /** GLM's files API. */
  readonly files: GlmFiles;
  readonly #client: GlmClient;

  constructor(settings: GlmProviderSettings = {}) {
    this.#client = new GlmClient(settings);
    this.files = new GlmFiles(this.#client);
  }

  /** The configured base URL. */
  get baseURL(): string {
    return this.#client.baseURL;
  }

  /** Returns the chat model for a GLM model id (`glm-4.6`, `glm-4.5-flash`, `glm-4.5v`, …). Does no I/O. */
  chatModel(modelId: string): ChatModel {
    if (typeof modelId !== 'string' || modelId.trim() === '') {
      throw new InvalidRequestError({ provider: GLM_PROVIDER_ID, message: 'a GLM model id is required, such as glm-4.6 or glm-4.5-flash' });
    }
    return new GlmChatModel({ modelId, client: this.#client });
  }

  /** Runs a standalone web search (`POST /web_search`, billed per search). */
  webSearch(request: GlmWebSearchRequest, options?: CallOptions): Promise<GlmWebSearchResponse> {
    return glmWebSearch(this.#client, request, options);
  }
}

/**
 * Creates the GLM provider.
 *
 * @example
 * const glm = createGlm({ apiKey: process.env.GLM_API_KEY });
 * const result = await glm.chatModel('glm-4.6').generate({ messages: [{ role: 'user', content: 'Hi' }] });
 */
export function createGlm(settings: GlmProviderSettings = {}): GlmProvider {
  return new GlmProvider(settings);
}
