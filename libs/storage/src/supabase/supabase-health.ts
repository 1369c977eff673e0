import { isOutageStatus } from './supabase-errors.js';

/** Where Supabase storage reports reachability changes; `StorageLogger` and pino's `Logger` satisfy it. */
export interface SupabaseStorageLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

/**
 * Whether Supabase answered the last request, for `Storage.status()`. Every request passes through
 * {@link trackedFetch}, so PostgREST and Storage calls both count. `lastError` keeps the last failure
 * of any kind (it is not cleared when Supabase answers again, so `/readyz` can still tell why it flapped).
 */
export class SupabaseHealth {
  state: 'up' | 'down' = 'up';
  lastError: string | undefined;

  constructor(
    private readonly location: string,
    private readonly logger: SupabaseStorageLogger | undefined,
  ) {}

  /** Supabase answered (even if it refused the request). */
  answered(): void {
    if (this.state === 'down') this.logger?.info({ location: this.location }, 'Supabase answers again');
    this.state = 'up';
  }

  /** A request got no answer, a 5xx or a 429. */
  unreachable(detail: string): void {
    if (this.state === 'up') this.logger?.warn({ location: this.location, error: detail }, 'Supabase cannot be reached');
    this.state = 'down';
    this.lastError = detail;
  }

  /** A request failed for another reason (refused, not found, invalid). */
  failed(message: string): void {
    this.lastError = message;
  }
}

function describe(input: Parameters<typeof fetch>[0], init: Parameters<typeof fetch>[1]): string {
  const url = input instanceof Request ? input.url : String(input);
  const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
  // The path only: no query string (filter values), and never a header (keys, tokens).
  return `${method} ${new URL(url).pathname}`;
}

/** `fetch`, reporting every answer and every failure to `health`. */
export function trackedFetch(base: typeof fetch, health: SupabaseHealth): typeof fetch {
  return async (input, init) => {
    try {
      const response = await base(input, init);
      if (isOutageStatus(response.status)) health.unreachable(`${describe(input, init)} answered ${response.status}`);
      else health.answered();
      return response;
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause?.code;
      health.unreachable(`${describe(input, init)}: ${error instanceof Error ? error.message : String(error)}${typeof cause === 'string' ? ` (${cause})` : ''}`);
      throw error;
    }
  };
}
