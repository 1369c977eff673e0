import { OpenAI } from 'openai';
import { AuthenticationError, ExaiError, type CallOptions } from '@exai/router/spec';
import { z } from 'zod';
import { withGlmErrorRequestId, type GlmFetch } from './glm-fetch.js';

/** Provider id of GLM in exai. */
export const GLM_PROVIDER_ID = 'glm';

/** Z.ai's general endpoint (provider-wire.md §1.1); no `/v1` segment. */
export const DEFAULT_GLM_BASE_URL = 'https://api.z.ai/api/paas/v4';

/** Environment variable read when `apiKey` is not given. */
export const GLM_API_KEY_ENV = 'GLM_API_KEY';

/** Settings of `createGlm`. */
export interface GlmProviderSettings {
  /** Z.ai API key; defaults to `process.env.GLM_API_KEY`. */
  apiKey?: string;
  /** Defaults to `https://api.z.ai/api/paas/v4`; China: `https://open.bigmodel.cn/api/paas/v4`; Coding Plan: `https://api.z.ai/api/coding/paas/v4`. */
  baseURL?: string;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** A custom fetch (tests, instrumentation). */
  fetch?: GlmFetch;
  /** Time limit of one call until GLM answers (for streams: until the response headers arrive). SDK default: 10 minutes. */
  timeoutMs?: number;
}

const settingsSchema = z.object({
  apiKey: z.string().optional(),
  baseURL: z.url({ error: 'baseURL must be an absolute http(s) URL' }).optional(),
  headers: z.record(z.string(), z.string(), { error: 'headers must map header names to strings' }).optional(),
  fetch: z.custom<GlmFetch>((value) => typeof value === 'function', { error: 'fetch must be a function' }).optional(),
  timeoutMs: z.number({ error: 'timeoutMs must be a number of milliseconds' }).int().positive().optional(),
});

/** Request options handed to the openai SDK for one call. */
export interface GlmRequestOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** The SDK's time limit for this request, when the call's `timeoutMs` is shorter than the client's. */
  timeout?: number;
}

/**
 * The configured connection to GLM shared by chat models, web search and files: validated settings
 * and one openai SDK client, created on first use so that `chatModel()` does no work.
 */
export class GlmClient {
  readonly baseURL: string;
  readonly timeoutMs: number | undefined;
  readonly #settings: GlmProviderSettings;
  #sdk: OpenAI | undefined;

  constructor(settings: GlmProviderSettings) {
    const parsed = settingsSchema.safeParse(settings);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ExaiError('invalid_settings', { message: `Invalid GLM provider settings: ${issue?.path.join('.') || 'settings'}: ${issue?.message ?? 'invalid'}` });
    }
    this.#settings = settings;
    this.baseURL = settings.baseURL ?? DEFAULT_GLM_BASE_URL;
    this.timeoutMs = settings.timeoutMs;
  }

  /** The openai SDK client. Throws `AuthenticationError` when no API key is configured. */
  sdk(): OpenAI {
    if (this.#sdk) return this.#sdk;
    const apiKey = this.#settings.apiKey ?? globalThis.process?.env?.[GLM_API_KEY_ENV];
    if (!apiKey) {
      throw new AuthenticationError({
        provider: GLM_PROVIDER_ID,
        message: `${GLM_API_KEY_ENV} is not set; calls to glm-* models need a Z.ai API key (pass apiKey to createGlm or set ${GLM_API_KEY_ENV})`,
      });
    }
    this.#sdk = new OpenAI({
      apiKey,
      baseURL: this.baseURL,
      // Retries belong to exai's resilience layer: the SDK would retry 429 "insufficient balance" (1113) in vain (§4.5).
      maxRetries: 0,
      fetch: withGlmErrorRequestId(this.#settings.fetch ?? ((input, init) => fetch(input, init))),
      // GLM words its error messages in Chinese or English by Accept-Language (§1.9); the official SDK asks for English too.
      defaultHeaders: { 'Accept-Language': 'en-US,en', ...this.#settings.headers },
      timeout: this.#settings.timeoutMs,
    });
    return this.#sdk;
  }

  /** The time limit of one call: the shorter of the call's `timeoutMs` and the provider's. */
  effectiveTimeoutMs(options: CallOptions | undefined): number | undefined {
    const call = options?.timeoutMs;
    if (call === undefined || !(call > 0)) return this.timeoutMs;
    return this.timeoutMs === undefined ? call : Math.min(call, this.timeoutMs);
  }

  /** SDK request options of one call: the caller's signal (aborting closes the HTTP request), extra headers and the call's time limit. */
  requestOptions(options: CallOptions | undefined): GlmRequestOptions {
    const result: GlmRequestOptions = {};
    if (options?.signal) result.signal = options.signal;
    if (options?.headers) result.headers = options.headers;
    const timeoutMs = this.effectiveTimeoutMs(options);
    if (timeoutMs !== this.timeoutMs && timeoutMs !== undefined) result.timeout = timeoutMs;
    return result;
  }
}
