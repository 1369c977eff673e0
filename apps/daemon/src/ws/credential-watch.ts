import { JWT_CLOCK_TOLERANCE_S } from '../auth/authenticator.js';
import type { Principal } from '../daemon-context.js';
import type { LimitExceeded } from '../limits/limit-exceeded.js';

/** Node timers hold at most 2^31 − 1 ms (24.8 days); a later expiry is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** When a principal's credential stops being valid (epoch ms): a JWT's `exp` plus the authenticator's tolerance, so a connection ends when a request would be refused; undefined for static tokens, anonymous callers and JWTs without `exp`. */
export function credentialExpiresAt(principal: Principal): number | undefined {
  const exp = principal.claims?.['exp'];
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 + JWT_CLOCK_TOLERANCE_S * 1000 : undefined;
}

/** Options of {@link CredentialWatch}. */
export interface CredentialWatchOptions {
  /** The token expired: refuse new calls, close the connection once its running calls have answered. */
  onLapse: (expiredAt: Date) => void;
  now?: () => number;
}

/**
 * Keeps a long-lived connection (a WebSocket authenticated once, at the upgrade or the `hello`) to
 * the life of its token: when the JWT's `exp` passes, {@link lapsed} turns true and `onLapse` runs.
 * A new token for the same user (the original protocol's `rotate_token`) extends it ({@link renew}).
 */
export class CredentialWatch {
  #expiresAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lapsed = false;
  readonly #options: CredentialWatchOptions;

  constructor(principal: Principal, options: CredentialWatchOptions) {
    this.#options = options;
    this.#schedule(credentialExpiresAt(principal));
  }

  /** Whether the credential has expired (new calls are refused). */
  get lapsed(): boolean {
    return this.#lapsed;
  }

  /** When the credential expires, if it does. */
  get expiresAt(): Date | undefined {
    return this.#expiresAt === undefined ? undefined : new Date(this.#expiresAt);
  }

  /** The refusal of a call made after the credential expired. */
  refusal(): LimitExceeded {
    return {
      limit: 'token_expired',
      message: `the connection's token expired at ${this.expiresAt?.toISOString() ?? 'an earlier time'}: reconnect with a fresh token`,
      retryAfterMs: 0,
    };
  }

  /** Follows a new credential of the same user from now on (it may not expire at all: a static token). */
  renew(principal: Principal): void {
    this.#lapsed = false;
    this.#schedule(credentialExpiresAt(principal));
  }

  /** Stops watching (the connection closed). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(expiresAt: number | undefined): void {
    this.stop();
    this.#expiresAt = expiresAt;
    if (expiresAt === undefined) return;
    const wait = expiresAt - (this.#options.now ?? Date.now)();
    if (wait <= 0) {
      this.#lapse();
      return;
    }
    this.#timer = setTimeout(() => (wait > MAX_TIMER_MS ? this.#schedule(expiresAt) : this.#lapse()), Math.min(wait, MAX_TIMER_MS));
    this.#timer.unref();
  }

  #lapse(): void {
    if (this.#lapsed) return;
    this.#lapsed = true;
    this.#options.onLapse(new Date(this.#expiresAt ?? Date.now()));
  }
}
