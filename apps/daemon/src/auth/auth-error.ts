/** Why a request was refused before any tool ran. `code` is stable; `status` is the HTTP status to answer with. */
export type AuthErrorCode = 'missing_token' | 'invalid_token' | 'expired_token' | 'token_not_yet_valid' | 'wrong_audience' | 'wrong_issuer' | 'unsupported_algorithm' | 'auth_unavailable';

/** A refused credential. The message names the problem and never contains the token. */
export class AuthError extends Error {
  readonly status: 401 | 503;
  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
    this.status = code === 'auth_unavailable' ? 503 : 401;
  }

  static isInstance(value: unknown): value is AuthError {
    return value instanceof AuthError;
  }
}
