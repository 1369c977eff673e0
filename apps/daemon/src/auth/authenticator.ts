import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LOCAL_USER_ID } from '@exai/storage';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { DaemonConfig } from '../daemon-config.js';
import type { Principal } from '../daemon-context.js';
import { AuthError } from './auth-error.js';
import { userIdForSubject } from './user-id-for-subject.js';

/** Checks the credential of a request or WebSocket upgrade. */
export interface Authenticator {
  /**
   * The caller, from `Authorization: Bearer <token>` (or, with `allowQueryToken`, the `token` query
   * parameter, for WebSocket clients that cannot set headers). Throws {@link AuthError}.
   */
  authenticate(request: IncomingMessage, options?: { allowQueryToken?: boolean; url?: URL }): Promise<Principal>;
  /** The same check for a token already extracted (the legacy protocol's `hello`). */
  verifyToken(token: string | undefined): Promise<Principal>;
}

/** Seconds of clock skew allowed on a JWT's `exp` and `nbf`. */
export const JWT_CLOCK_TOLERANCE_S = 5;

const ANONYMOUS: Principal = { userId: LOCAL_USER_ID, subject: 'anonymous', method: 'anonymous' };
const HS256 = ['HS256'];
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * The daemon's authenticator: HS256 JWTs (`SUPABASE_JWT_SECRET` / `EXAI_JWT_SECRET`), JWTs signed by
 * a key of `EXAI_JWKS_URL`, static tokens (`EXAI_WS_TOKEN`), and — only when configured and bound to
 * loopback — anonymous callers. `exp` and `nbf` are checked, the audience always, the issuer when
 * set; `alg: none` and algorithms not configured are refused.
 */
export function createAuthenticator(auth: DaemonConfig['auth'], options: { jwks?: JWTVerifyGetKey } = {}): Authenticator {
  const secret = auth.jwtSecret === undefined ? undefined : new TextEncoder().encode(auth.jwtSecret);
  const remote = options.jwks ?? (auth.jwksUrl ? createRemoteJWKSet(new URL(auth.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 }) : undefined);
  const jwks = remote ? unavailableWhenUnreachable(remote) : undefined;
  const statics = auth.staticTokens.map((entry) => ({ name: entry.name, digest: sha256(entry.token) }));
  const verifyOptions = { audience: auth.audience, ...(auth.issuer ? { issuer: auth.issuer } : {}), clockTolerance: JWT_CLOCK_TOLERANCE_S };

  const verifyToken = async (token: string | undefined): Promise<Principal> => {
    if (token === undefined || token === '') {
      if (auth.allowAnonymous) return ANONYMOUS;
      throw new AuthError('missing_token', 'authentication required: send Authorization: Bearer <token>');
    }
    const digest = sha256(token);
    const match = statics.find((entry) => timingSafeEqual(entry.digest, digest));
    if (match) return { userId: userIdForSubject(match.name, 'static'), subject: match.name, method: 'static' };
    if (!looksLikeJwt(token)) throw new AuthError('invalid_token', 'the token is neither a configured static token nor a JWT');
    const algorithm = headerAlgorithm(token);
    if (algorithm === undefined || algorithm.toLowerCase() === 'none') throw new AuthError('unsupported_algorithm', 'unsigned tokens (alg "none") are refused');
    if (HS256.includes(algorithm) && secret) return principalOf(await verify(() => jwtVerify(token, secret, { ...verifyOptions, algorithms: HS256 })), 'jwt');
    if (ASYMMETRIC.includes(algorithm) && jwks) return principalOf(await verify(() => jwtVerify(token, jwks, { ...verifyOptions, algorithms: ASYMMETRIC })), 'jwks');
    throw new AuthError('unsupported_algorithm', `tokens signed with ${algorithm} are not accepted here (configure ${HS256.includes(algorithm) ? 'SUPABASE_JWT_SECRET or EXAI_JWT_SECRET' : 'EXAI_JWKS_URL'})`);
  };

  return {
    verifyToken,
    authenticate(request, options = {}) {
      const header = request.headers.authorization;
      let token: string | undefined;
      if (header !== undefined) {
        const bearer = /^Bearer\s+(.+)$/i.exec(header.trim());
        if (!bearer) return Promise.reject(new AuthError('invalid_token', 'the Authorization header must be "Bearer <token>"'));
        token = (bearer[1] as string).trim();
      } else if (options.allowQueryToken) {
        token = (options.url ?? new URL(request.url ?? '/', 'http://localhost')).searchParams.get('token') ?? undefined;
      }
      return verifyToken(token);
    },
  };
}

async function verify(run: () => Promise<{ payload: JWTPayload }>): Promise<JWTPayload> {
  try {
    return (await run()).payload;
  } catch (error) {
    throw AuthError.isInstance(error) ? error : toAuthError(error);
  }
}

/**
 * A key set that could not be fetched (the key server down, answering non-200 or malformed keys) is
 * our outage, not the caller's bad token: 503 `auth_unavailable`, so clients retry. jose throws a
 * generic `JOSEError` for a non-200 answer, so the getter's failures are sorted here, where only
 * "no key matches" and "algorithm not supported" are about the token.
 */
function unavailableWhenUnreachable(getKey: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await getKey(header, token);
    } catch (error) {
      if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys || error instanceof joseErrors.JOSENotSupported || error instanceof joseErrors.JOSEAlgNotAllowed) throw error;
      throw new AuthError('auth_unavailable', 'the signing keys (EXAI_JWKS_URL) could not be fetched; try again shortly');
    }
  };
}

function principalOf(payload: JWTPayload, method: 'jwt' | 'jwks'): Principal {
  const subject = payload.sub;
  if (typeof subject !== 'string' || subject === '') throw new AuthError('invalid_token', 'the token has no subject (sub)');
  const { sub: _sub, ...claims } = payload;
  return { userId: userIdForSubject(subject, method), subject, method, claims };
}

function toAuthError(error: unknown): AuthError {
  if (error instanceof joseErrors.JWTExpired) return new AuthError('expired_token', 'the token has expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return new AuthError('wrong_audience', `the token's audience is not accepted (expected ${error.reason === 'check_failed' ? 'the configured EXAI_JWT_AUDIENCE' : 'an aud claim'})`);
    if (error.claim === 'iss') return new AuthError('wrong_issuer', 'the token was issued by another issuer than EXAI_JWT_ISSUER');
    if (error.claim === 'nbf') return new AuthError('token_not_yet_valid', 'the token is not valid yet (nbf)');
    return new AuthError('invalid_token', `the token's ${error.claim} claim is invalid`);
  }
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) return new AuthError('auth_unavailable', 'the signing keys (EXAI_JWKS_URL) could not be fetched');
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return new AuthError('unsupported_algorithm', 'the token is signed with an algorithm that is not accepted');
  if (error instanceof joseErrors.JOSEError) return new AuthError('invalid_token', 'the token signature or format is invalid');
  if (error instanceof TypeError) return new AuthError('auth_unavailable', 'the signing keys (EXAI_JWKS_URL) could not be fetched');
  return new AuthError('invalid_token', 'the token could not be verified');
}

function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]*\.[\w-]*$/.test(token);
}

function headerAlgorithm(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header.alg === 'string' ? header.alg : undefined;
  } catch {
    return undefined;
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
