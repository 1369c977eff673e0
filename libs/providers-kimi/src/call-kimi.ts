import type { CallOptions } from '@exai/router/spec';
import type { OpenAI } from 'openai';
import { callTimeoutMs, startDeadline } from './deadline.js';
import type { KimiContext } from './kimi-context.js';
import { mapKimiError } from './map-kimi-error.js';

/** What a non-chat call does, for error messages. */
export interface KimiCallDescription {
  operation: string;
  /** The addressed resource (`file <id>`), so a 404 names it. */
  resource?: string;
}

/** Runs one SDK call under the time limit, turning whatever it throws into a `ProviderError` (files, account, cache). */
export async function callKimi<T>(
  context: KimiContext,
  what: KimiCallDescription,
  options: CallOptions | undefined,
  run: (client: OpenAI, signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  const timeoutMs = callTimeoutMs(context.timeoutMs, options);
  const deadline = startDeadline(options?.signal, timeoutMs);
  try {
    return await run(context.client(), deadline.signal);
  } catch (error) {
    throw mapKimiError(error, { ...what, signal: options?.signal, timedOut: deadline.expired(), timeoutMs });
  } finally {
    deadline.clear();
  }
}
