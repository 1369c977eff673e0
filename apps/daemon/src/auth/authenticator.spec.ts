import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_USER_ID } from '@exai/storage';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { DaemonConfig } from '../daemon-config.js';
import { AuthError } from './auth-error.js';
import { createAuthenticator } from './authenticator.js';
import { userIdForSubject } from './user-id-for-subject.js';

const secret = 'authenticator-spec-secret-0123456789abcdef';
const key = new TextEncoder().encode(secret);
const aliceToken = 'alice-static-token-0123456789abcdef';
const uuid = '3F2504E0-4F89-41D3-9A0C-0305E82C3301';

const baseAuth: DaemonConfig['auth'] = {
  jwtSecret: secret,
  audience: 'authenticated',
  issuer: undefined,
  jwksUrl: undefined,
  staticTokens: [{ name: 'alice', token: aliceToken }],
  allowAnonymous: false,
};

function hs256(claims: JWTPayload = {}, options: { sub?: string; audience?: string; expires?: number | string; signWith?: Uint8Array } = {}): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub ?? uuid)
    .setAudience(options.audience ?? 'authenticated')
    .setIssuedAt()
    .setExpirationTime(options.expires ?? '5m');
  return jwt.sign(options.signWith ?? key);
}

function request(headers: Record<string, string>, url = '/ws'): IncomingMessage {
  return { headers, url } as unknown as IncomingMessage;
}

/** The AuthError a promise rejects with; asserts the token is not in its message. */
async function refusal(promise: Promise<unknown>, token?: string): Promise<AuthError> {
  const error = await promise.then(
    () => {
      throw new Error('the credential was accepted');
    },
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(AuthError);
  if (token) {
    expect((error as AuthError).message).not.toContain(token);
    // Nor any of its parts (a signature or a payload would give the token away as well).
    for (const part of token.split('.').filter((piece) => piece.length > 8)) expect((error as AuthError).message).not.toContain(part);
  }
  return error as AuthError;
}

describe('createAuthenticator: HS256', () => {
  const auth = createAuthenticator(baseAuth);

  it('accepts a valid token; a UUID subject is the user', async () => {
    const principal = await auth.verifyToken(await hs256({ role: 'authenticated', email: 'a@example.com' }));
    expect(principal).toMatchObject({ userId: uuid.toLowerCase(), subject: uuid, method: 'jwt' });
    expect(principal.claims).toMatchObject({ role: 'authenticated', email: 'a@example.com', aud: 'authenticated' });
    expect(principal.claims).not.toHaveProperty('sub');
  });

  it('maps a subject that is not a UUID to a stable UUID of its own', async () => {
    const first = await auth.verifyToken(await hs256({}, { sub: 'github|1234' }));
    const again = await auth.verifyToken(await hs256({ other: true }, { sub: 'github|1234' }));
    const other = await auth.verifyToken(await hs256({}, { sub: 'github|1235' }));
    expect(first.userId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(again.userId).toBe(first.userId);
    expect(other.userId).not.toBe(first.userId);
    expect(first.userId).toBe(userIdForSubject('github|1234', 'jwt'));
    // The same name through another method is another user.
    expect(userIdForSubject('alice', 'jwt')).not.toBe(userIdForSubject('alice', 'static'));
  });

  it('refuses a request without a token', async () => {
    const error = await refusal(auth.authenticate(request({})));
    expect(error).toMatchObject({ code: 'missing_token', status: 401 });
    expect((await refusal(auth.verifyToken(''))).code).toBe('missing_token');
  });

  it('refuses a token signed with another secret', async () => {
    const token = await hs256({}, { signWith: new TextEncoder().encode('another-secret-another-secret-0123456789') });
    const error = await refusal(auth.verifyToken(token), token);
    expect(error).toMatchObject({ code: 'invalid_token', status: 401 });
  });

  it('refuses a tampered payload', async () => {
    const token = await hs256({}, { sub: 'bob' });
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'admin', aud: 'authenticated', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url')}.${signature}`;
    expect((await refusal(auth.verifyToken(forged), forged)).code).toBe('invalid_token');
  });

  it('refuses an expired token (exp)', async () => {
    const token = await hs256({}, { expires: Math.floor(Date.now() / 1000) - 60 });
    const error = await refusal(auth.verifyToken(token), token);
    expect(error).toMatchObject({ code: 'expired_token', status: 401, message: 'the token has expired' });
  });

  it('refuses a token that is not valid yet (nbf)', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(uuid)
      .setAudience('authenticated')
      .setNotBefore(Math.floor(Date.now() / 1000) + 600)
      .setExpirationTime('1h')
      .sign(key);
    expect((await refusal(auth.verifyToken(token), token)).code).toBe('token_not_yet_valid');
  });

  it('refuses another audience, and a token with none', async () => {
    const token = await hs256({}, { audience: 'someone-else' });
    expect((await refusal(auth.verifyToken(token), token)).code).toBe('wrong_audience');
    const noAudience = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(uuid).setExpirationTime('5m').sign(key);
    expect((await refusal(auth.verifyToken(noAudience), noAudience)).code).toBe('wrong_audience');
  });

  it('follows EXAI_JWT_AUDIENCE', async () => {
    const custom = createAuthenticator({ ...baseAuth, audience: 'exai' });
    expect((await custom.verifyToken(await hs256({}, { audience: 'exai' }))).method).toBe('jwt');
    expect((await refusal(custom.verifyToken(await hs256()))).code).toBe('wrong_audience');
  });

  it('checks the issuer only when EXAI_JWT_ISSUER is set', async () => {
    const fromSupabase = await hs256({ iss: 'https://project.supabase.co/auth/v1' });
    const fromElsewhere = await hs256({ iss: 'https://evil.example' });
    expect((await auth.verifyToken(fromElsewhere)).subject).toBe(uuid);
    const strict = createAuthenticator({ ...baseAuth, issuer: 'https://project.supabase.co/auth/v1' });
    expect((await strict.verifyToken(fromSupabase)).subject).toBe(uuid);
    expect((await refusal(strict.verifyToken(fromElsewhere), fromElsewhere)).code).toBe('wrong_issuer');
    expect((await refusal(strict.verifyToken(await hs256()))).code).toBe('wrong_issuer');
  });

  it('refuses unsigned tokens (alg "none")', async () => {
    const unsigned = new UnsecuredJWT({ aud: 'authenticated' }).setSubject(uuid).setExpirationTime('5m').encode();
    const error = await refusal(auth.verifyToken(unsigned), unsigned);
    expect(error).toMatchObject({ code: 'unsupported_algorithm', status: 401 });
    // Also with a signature part and a differently spelled "none".
    const sneaky = `${Buffer.from(JSON.stringify({ alg: 'NoNe' })).toString('base64url')}.${unsigned.split('.')[1]}.c2ln`;
    expect((await refusal(auth.verifyToken(sneaky), sneaky)).code).toBe('unsupported_algorithm');
  });

  it('refuses a token without a subject, and one that is no JWT at all', async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setAudience('authenticated').setExpirationTime('5m').sign(key);
    expect((await refusal(auth.verifyToken(token), token)).code).toBe('invalid_token');
    expect((await refusal(auth.verifyToken('not a token at all'), 'not a token at all')).code).toBe('invalid_token');
  });

  it('refuses an HS256 token when no secret is configured', async () => {
    const withoutSecret = createAuthenticator({ ...baseAuth, jwtSecret: undefined });
    const token = await hs256();
    const error = await refusal(withoutSecret.verifyToken(token), token);
    expect(error.code).toBe('unsupported_algorithm');
    expect(error.message).toContain('SUPABASE_JWT_SECRET');
  });
});

describe('createAuthenticator: static tokens and anonymous callers', () => {
  it('accepts a configured static token as its named user', async () => {
    const auth = createAuthenticator(baseAuth);
    const principal = await auth.verifyToken(aliceToken);
    expect(principal).toEqual({ userId: userIdForSubject('alice', 'static'), subject: 'alice', method: 'static' });
  });

  it('refuses a token that only shares a prefix or a length with a static one', async () => {
    const auth = createAuthenticator(baseAuth);
    for (const near of [aliceToken.slice(0, -1), `${aliceToken}x`, aliceToken.replace(/.$/, 'X')]) {
      expect((await refusal(auth.verifyToken(near), near)).code).toBe('invalid_token');
    }
  });

  it('lets anonymous callers in only when allowed, as the local user', async () => {
    const closed = createAuthenticator({ ...baseAuth, staticTokens: [] });
    expect((await refusal(closed.authenticate(request({})))).code).toBe('missing_token');
    const open = createAuthenticator({ ...baseAuth, allowAnonymous: true });
    expect(await open.authenticate(request({}))).toEqual({ userId: LOCAL_USER_ID, subject: 'anonymous', method: 'anonymous' });
    // A credential that is sent is still checked: a bad one is not waved through as anonymous.
    expect((await refusal(open.authenticate(request({ authorization: 'Bearer wrong-token-0123456789' })), 'wrong-token-0123456789')).code).toBe('invalid_token');
  });
});

describe('createAuthenticator: where the token comes from', () => {
  const auth = createAuthenticator(baseAuth);

  it('reads Authorization: Bearer (any case, surrounding spaces)', async () => {
    expect((await auth.authenticate(request({ authorization: `Bearer ${aliceToken}` }))).subject).toBe('alice');
    expect((await auth.authenticate(request({ authorization: `  bearer   ${aliceToken}  ` }))).subject).toBe('alice');
  });

  it('refuses other Authorization schemes without echoing them', async () => {
    const basic = `Basic ${Buffer.from(`alice:${aliceToken}`).toString('base64')}`;
    const error = await refusal(auth.authenticate(request({ authorization: basic })), aliceToken);
    expect(error.code).toBe('invalid_token');
    expect(error.message).not.toContain(basic);
  });

  it('reads the token query parameter only when allowQueryToken is set', async () => {
    const url = `/ws?token=${encodeURIComponent(aliceToken)}`;
    expect((await refusal(auth.authenticate(request({}, url)))).code).toBe('missing_token');
    expect((await auth.authenticate(request({}, url), { allowQueryToken: true })).subject).toBe('alice');
    const parsed = new URL(`http://localhost${url}`);
    expect((await auth.authenticate(request({}, '/elsewhere'), { allowQueryToken: true, url: parsed })).subject).toBe('alice');
  });

  it('prefers the header over the query parameter', async () => {
    const jwt = await hs256();
    const principal = await auth.authenticate(request({ authorization: `Bearer ${jwt}` }, `/ws?token=${aliceToken}`), { allowQueryToken: true });
    expect(principal.method).toBe('jwt');
    const error = await refusal(auth.authenticate(request({ authorization: 'Bearer not-a-valid-token-123456' }, `/ws?token=${aliceToken}`), { allowQueryToken: true }));
    expect(error.code).toBe('invalid_token');
  });
});

describe('createAuthenticator: asymmetric keys through a JWKS', () => {
  let privateKey: CryptoKey;
  let otherPrivateKey: CryptoKey;
  let publicJwk: JWK;
  let keyServer: Server;
  let keyServerUrl: string;
  let keyServerStatus = 200;
  let keyFetches = 0;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    otherPrivateKey = (await generateKeyPair('RS256')).privateKey;
    keyServer = createServer((incoming, response) => {
      keyFetches++;
      if (incoming.url !== '/.well-known/jwks.json' || keyServerStatus !== 200) {
        response.writeHead(keyServerStatus === 200 ? 404 : keyServerStatus).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    keyServerUrl = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => keyServer.close(() => resolve()));
  });

  function rs256(signWith: CryptoKey, kid = 'key-1', claims: JWTPayload = {}): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setSubject('user-from-idp').setAudience('authenticated').setExpirationTime('5m').sign(signWith);
  }

  it('verifies an RS256 token against a key set', async () => {
    const auth = createAuthenticator({ ...baseAuth, jwtSecret: undefined }, { jwks: createLocalJWKSet({ keys: [publicJwk] }) });
    const principal = await auth.verifyToken(await rs256(privateKey));
    expect(principal).toMatchObject({ subject: 'user-from-idp', method: 'jwks', userId: userIdForSubject('user-from-idp', 'jwks') });
  });

  it('refuses a token signed by a key that is not in the set', async () => {
    const auth = createAuthenticator(baseAuth, { jwks: createLocalJWKSet({ keys: [publicJwk] }) });
    const forged = await rs256(otherPrivateKey);
    expect((await refusal(auth.verifyToken(forged), forged)).code).toBe('invalid_token');
    const unknownKid = await rs256(otherPrivateKey, 'key-2');
    expect((await refusal(auth.verifyToken(unknownKid), unknownKid)).code).toBe('invalid_token');
  });

  it('refuses an RS256 token when no key set is configured', async () => {
    const auth = createAuthenticator(baseAuth);
    const token = await rs256(privateKey);
    const error = await refusal(auth.verifyToken(token), token);
    expect(error.code).toBe('unsupported_algorithm');
    expect(error.message).toContain('EXAI_JWKS_URL');
  });

  it('fetches the key set from EXAI_JWKS_URL and checks expiry and audience as for HS256', async () => {
    keyServerStatus = 200;
    const auth = createAuthenticator({ ...baseAuth, jwtSecret: undefined, jwksUrl: keyServerUrl });
    const before = keyFetches;
    expect((await auth.verifyToken(await rs256(privateKey))).method).toBe('jwks');
    expect((await auth.verifyToken(await rs256(privateKey, 'key-1', { n: 2 }))).method).toBe('jwks');
    // Fetched once and cached.
    expect(keyFetches - before).toBe(1);
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'key-1' }).setSubject('x').setAudience('authenticated').setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(privateKey);
    expect((await refusal(auth.verifyToken(expired), expired)).code).toBe('expired_token');
    const elsewhere = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'key-1' }).setSubject('x').setAudience('other').setExpirationTime('5m').sign(privateKey);
    expect((await refusal(auth.verifyToken(elsewhere), elsewhere)).code).toBe('wrong_audience');
  });

  it('answers 503 auth_unavailable when the key server fails, not "invalid token"', async () => {
    keyServerStatus = 500;
    try {
      const auth = createAuthenticator({ ...baseAuth, jwksUrl: keyServerUrl });
      const token = await rs256(privateKey);
      const error = await refusal(auth.verifyToken(token), token);
      expect(error).toMatchObject({ code: 'auth_unavailable', status: 503 });
    } finally {
      keyServerStatus = 200;
    }
    // Nobody listening at all.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks.json`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = createAuthenticator({ ...baseAuth, jwksUrl: deadUrl });
    expect((await refusal(unreachable.verifyToken(await rs256(privateKey)))).code).toBe('auth_unavailable');
  });
});
