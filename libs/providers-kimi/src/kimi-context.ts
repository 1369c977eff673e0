import { AuthenticationError, type CallOptions } from '@exai/router/spec';
import { OpenAI } from 'openai';

/** Settings of `createKimi()`. */
export interface KimiProviderSettings {
  /** API key; defaults to the `KIMI_API_KEY` (or `MOONSHOT_API_KEY`) environment variable. */
  apiKey?: string;
  /** Defaults to `https://api.moonshot.ai/v1` (USD). Keys are region-bound: `.cn` keys need `https://api.moonshot.cn/v1`. */
  baseURL?: string;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** A `fetch` to use instead of the global one (tests, instrumentation). */
  fetch?: typeof globalThis.fetch;
  /** Time limit of one HTTP request until its response arrives (a stream's headers), in milliseconds. Default: the SDK's 10 minutes. */
  timeoutMs?: number;
  /** `max_tokens` sent when a request sets none; Kimi silently uses 1024 otherwise (provider-wire.md §2.2). Default 8192. */
  defaultMaxTokens?: number;
}

/** Defaults of the settings, in one place. */
export const kimiDefaults = {
  baseURL: 'https://api.moonshot.ai/v1',
  defaultMaxTokens: 8192,
} as const;

/** What every part of the provider shares: resolved settings and one lazily built SDK client. */
export interface KimiContext {
  readonly baseURL: string;
  readonly defaultMaxTokens: number;
  readonly timeoutMs: number | undefined;
  /** The SDK client; throws `AuthenticationError` when no API key is configured. */
  client(): OpenAI;
}

/** Resolves settings; does no I/O. */
export function createKimiContext(settings: KimiProviderSettings): KimiContext {
  const env = globalThis.process?.env ?? {};
  const apiKey = settings.apiKey ?? env['KIMI_API_KEY'] ?? env['MOONSHOT_API_KEY'];
  const baseURL = (settings.baseURL ?? kimiDefaults.baseURL).replace(/\/+$/, '');
  let client: OpenAI | undefined;
  return {
    baseURL,
    defaultMaxTokens: settings.defaultMaxTokens ?? kimiDefaults.defaultMaxTokens,
    timeoutMs: settings.timeoutMs,
    client() {
      if (client) return client;
      if (!apiKey) {
        throw new AuthenticationError({
          message: 'KIMI_API_KEY is not set; calls to Kimi (kimi-*, moonshot-v1-* models) need it. Set it or pass apiKey to createKimi().',
          provider: 'kimi',
        });
      }
      client = new OpenAI({
        apiKey,
        baseURL,
        // Both 429 kinds (rate limit and empty balance) look alike to the SDK; exai classifies and retries itself (§4.5).
        maxRetries: 0,
        ...(settings.fetch ? { fetch: settings.fetch } : {}),
        ...(settings.headers ? { defaultHeaders: settings.headers } : {}),
      });
      return client;
    },
  };
}

/**
 * SDK request options of one call: its signal (the caller's, with the deadline) and headers, never an
 * SDK retry; `timeout` sets the SDK's own time limit (for a call without a signal).
 */
export function sdkRequestOptions(
  options: CallOptions | undefined,
  signal: AbortSignal | undefined,
  timeout?: number,
): { signal?: AbortSignal; headers?: Record<string, string>; maxRetries: 0; timeout?: number } {
  return {
    maxRetries: 0,
    ...(signal ? { signal } : {}),
    ...(timeout === undefined ? {} : { timeout }),
    ...(options?.headers ? { headers: options.headers } : {}),
  };
}
