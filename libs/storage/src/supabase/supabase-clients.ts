import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';

/** How long a signed user token lives, and how early before its expiry a new one is signed. */
const TOKEN_TTL_SECONDS = 600;
const RENEW_BEFORE_MS = 60_000;
/** Users whose client (and token) stay cached; the least recently used goes first. */
const MAX_CACHED_USERS = 500;

/** What {@link SupabaseClients} needs; `fetch` already reports to the storage's health. */
export interface SupabaseClientsOptions {
  url: string;
  serviceRoleKey: string;
  jwtSecret: string | undefined;
  anonKey: string | undefined;
  fetch: typeof fetch;
  timeoutMs: number;
}

/** A user's current token, and the signing in flight (so concurrent requests sign once). */
interface TokenCache {
  token: { value: string; expiresAt: number } | undefined;
  pending: Promise<string> | undefined;
}

/**
 * The supabase-js clients of one storage: the service-role client, and with a JWT secret one client
 * per user that sends a short-lived HS256 token signed for that user, so Supabase's row-level
 * security enforces the scope (PostgREST and Storage both read the role and `sub` from it).
 */
export class SupabaseClients {
  readonly service: SupabaseClient;
  readonly #users = new Map<string, SupabaseClient>();
  readonly #key: Uint8Array | undefined;

  constructor(private readonly options: SupabaseClientsOptions) {
    // With `accessToken` set, supabase-js builds no Auth client (no session storage, no refresh
    // timers); answering null makes it send the key itself as the bearer, as it does by default.
    this.service = this.#create(options.serviceRoleKey, async () => null);
    this.#key = options.jwtSecret === undefined ? undefined : new TextEncoder().encode(options.jwtSecret);
  }

  /** The client a user scope uses: the user's own, or the service client without a JWT secret. */
  forUser(userId: string): SupabaseClient {
    if (this.#key === undefined) return this.service;
    let client = this.#users.get(userId);
    if (client) {
      // Map order is insertion order: re-inserting marks the entry most recently used.
      this.#users.delete(userId);
    } else {
      const cache: TokenCache = { token: undefined, pending: undefined };
      // The gateway needs a valid key in `apikey`; the anon key is the one meant to sit beside a
      // user's token, and the service key works as well (the role comes from `Authorization`).
      client = this.#create(this.options.anonKey ?? this.options.serviceRoleKey, () => this.#tokenOf(userId, cache));
    }
    this.#users.set(userId, client);
    if (this.#users.size > MAX_CACHED_USERS) this.#users.delete(this.#users.keys().next().value as string);
    return client;
  }

  /** Forgets every user client and token. */
  clear(): void {
    this.#users.clear();
  }

  async #tokenOf(userId: string, cache: TokenCache): Promise<string> {
    if (cache.token && cache.token.expiresAt - Date.now() > RENEW_BEFORE_MS) return cache.token.value;
    cache.pending ??= this.#sign(userId)
      .then((token) => {
        cache.token = token;
        return token.value;
      })
      .finally(() => {
        cache.pending = undefined;
      });
    return cache.pending;
  }

  async #sign(userId: string): Promise<{ value: string; expiresAt: number }> {
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + TOKEN_TTL_SECONDS;
    // The claims Supabase Auth puts in a user's access token that PostgREST and Storage read.
    const value = await new SignJWT({ role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setAudience('authenticated')
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.#key as Uint8Array);
    return { value, expiresAt: expiresAt * 1000 };
  }

  #create(apiKey: string, accessToken: () => Promise<string | null>): SupabaseClient {
    return createClient(this.options.url, apiKey, {
      accessToken,
      // Retries are off: postgrest-js would hold a read for 1 s + 2 s + 4 s on a 503 before the
      // journal wrapper above saw the outage and switched to the journal.
      db: { retry: false, timeout: this.options.timeoutMs },
      global: { fetch: this.options.fetch },
    });
  }
}
