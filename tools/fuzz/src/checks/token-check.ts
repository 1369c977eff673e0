import { CategoryTally } from '../category-tally.js';
import { httpExchange } from '../clients/http-exchange.js';
import { isRecord, PROTOCOL_VERSION } from '../clients/http-mcp-session.js';
import { isRefusal, WsPeer } from '../clients/ws-peer.js';
import type { FuzzRun } from '../fuzz-run.js';
import { leakProblem } from '../judge.js';
import { mintJwt, nowSeconds } from '../jwt.js';

/** How a credential is presented: headers, a query string, and the token value that must not be echoed. */
interface Attempt {
  label: string;
  headers: Record<string, string>;
  query?: string;
  /** The token the legacy `hello` carries (when the attempt is about a token value). */
  helloToken?: string;
  /** Values that must not appear in the answer. */
  secrets: string[];
}

/** What a face answered. */
interface FaceAnswer {
  /** HTTP status, or 101 for an accepted upgrade, or for a legacy hello: 401 when refused and closed. */
  status: number;
  text: string;
  problem?: string;
}

/**
 * Category 4: forged, expired, unsigned and misdirected tokens, and valid tokens in places that are
 * not the credential, on every face (`/mcp` POST, GET, DELETE; `/v1/chat/completions`; `/v1/models`;
 * `/api/dashboard`; `/ws` with MCP, the legacy upgrade and the legacy `hello`). Each must be refused
 * with 401 (431 for a header too large to read), and the answer must echo neither the token nor any
 * secret, nor carry a stack trace. Alice's real token on each face is the control: it must pass.
 */
export async function checkTokens(run: FuzzRun): Promise<CategoryTally> {
  const tally = new CategoryTally('4. forged, expired, alg:none and misplaced tokens');
  const { secrets } = run;
  const now = nowSeconds();
  const claims = { sub: 'alice', aud: 'authenticated', iat: now, exp: now + 3600 };
  const hs256 = { alg: 'HS256', typ: 'JWT' };
  const good = mintJwt({ header: hs256, claims, secret: secrets.jwtSecret });
  const goodSignature = good.split('.')[2] as string;
  const forged: Array<[string, string]> = [
    ['garbage', 'not-a-token-at-all'],
    ["alice's token, last character changed", `${secrets.alice.slice(0, -1)}${secrets.alice.endsWith('A') ? 'B' : 'A'}`],
    ["alice's token, a prefix", secrets.alice.slice(0, 20)],
    ["alice's token plus a character", `${secrets.alice}x`],
    ["alice's token upper-cased", secrets.alice.toUpperCase()],
    ['HS256 signed with another secret', mintJwt({ header: hs256, claims, secret: 'another-secret-that-is-long-enough-0123456789' })],
    ['expired HS256', mintJwt({ header: hs256, claims: { ...claims, iat: now - 7200, exp: now - 3600 }, secret: secrets.jwtSecret })],
    ['not yet valid (nbf)', mintJwt({ header: hs256, claims: { ...claims, nbf: now + 3600 }, secret: secrets.jwtSecret })],
    ['alg none', mintJwt({ header: { alg: 'none', typ: 'JWT' }, claims })],
    ['alg None', mintJwt({ header: { alg: 'None' }, claims })],
    ['alg NONE with the valid signature kept', mintJwt({ header: { alg: 'NONE' }, claims, signature: goodSignature })],
    ['alg nOnE', mintJwt({ header: { alg: 'nOnE' }, claims })],
    ['no alg', mintJwt({ header: { typ: 'JWT' }, claims, signature: goodSignature })],
    ['wrong audience', mintJwt({ header: hs256, claims: { ...claims, aud: 'somebody-else' }, secret: secrets.jwtSecret })],
    ['audience list without ours', mintJwt({ header: hs256, claims: { ...claims, aud: ['a', 'b'] }, secret: secrets.jwtSecret })],
    ['no audience', mintJwt({ header: hs256, claims: { sub: 'alice', exp: now + 3600 }, secret: secrets.jwtSecret })],
    ['no subject', mintJwt({ header: hs256, claims: { aud: 'authenticated', exp: now + 3600 }, secret: secrets.jwtSecret })],
    ['empty subject', mintJwt({ header: hs256, claims: { ...claims, sub: '' }, secret: secrets.jwtSecret })],
    ['HS512 with the right secret', mintJwt({ header: { alg: 'HS512' }, claims, secret: secrets.jwtSecret })],
    ['RS256 header, HMAC signature (algorithm confusion)', mintJwt({ header: { alg: 'RS256' }, claims, signature: goodSignature })],
    ['jku pointing elsewhere', mintJwt({ header: { ...hs256, jku: 'http://127.0.0.1:1/keys.json', kid: 'x' }, claims, secret: 'attacker-secret-attacker-secret-0123456789' })],
    ['unknown crit header', mintJwt({ header: { ...hs256, crit: ['exai-ext'], 'exai-ext': true }, claims, secret: secrets.jwtSecret })],
    ['four segments', `${good}.extra`],
    ['valid JWT with the signature cut', good.slice(0, good.lastIndexOf('.') + 1)],
    ['payload swapped under a valid signature', `${good.split('.')[0]}.${Buffer.from(JSON.stringify({ ...claims, sub: 'bob' })).toString('base64url')}.${goodSignature}`],
    ['8 KiB token', `x${'A'.repeat(8191)}`],
    ['20 KiB token (over the header limit)', `x${'A'.repeat(20_000)}`],
  ];
  // Refused tokens must not be written down either (a typo'd real token is still a secret).
  for (const [label, token] of forged) if (token.length >= 12) run.scanner.add(`refused token (${label})`, token);
  const attempts: Attempt[] = [
    { label: 'no credential', headers: {}, secrets: [] },
    { label: 'empty Bearer', headers: { authorization: 'Bearer ' }, helloToken: '', secrets: [] },
    ...forged.map(([label, token]) => ({ label, headers: { authorization: `Bearer ${token}` }, helloToken: token, secrets: secretsOf(token) })),
    { label: 'token in ?token= (only /ws takes it)', headers: {}, query: `?token=${encodeURIComponent(secrets.alice)}`, secrets: [secrets.alice] },
    { label: 'token in ?access_token=', headers: {}, query: `?access_token=${encodeURIComponent(secrets.alice)}`, secrets: [secrets.alice] },
    { label: 'token in a cookie', headers: { cookie: `token=${secrets.alice}; exai_token=${secrets.alice}` }, secrets: [secrets.alice] },
    { label: 'token in X-Api-Key', headers: { 'x-api-key': secrets.alice }, secrets: [secrets.alice] },
    { label: 'token in Proxy-Authorization', headers: { 'proxy-authorization': `Bearer ${secrets.alice}` }, secrets: [secrets.alice] },
    { label: 'Basic credentials', headers: { authorization: `Basic ${Buffer.from(`alice:${secrets.alice}`).toString('base64')}` }, secrets: [secrets.alice] },
    { label: 'Token scheme', headers: { authorization: `Token ${secrets.alice}` }, secrets: [secrets.alice] },
    { label: 'no scheme', headers: { authorization: secrets.alice }, secrets: [secrets.alice] },
    { label: 'two bearer tokens in one header', headers: { authorization: `Bearer forged-token-value, Bearer ${secrets.alice}` }, secrets: [secrets.alice] },
    { label: 'jwt in the hello frame', headers: {}, helloToken: mintJwt({ header: { alg: 'none' }, claims }), secrets: [] },
  ];

  const faces = faceCatalogue(run);
  for (const face of faces) {
    // The control: alice's real token passes on this face.
    const control = await face.run({ label: 'control', headers: { authorization: `Bearer ${secrets.alice}` }, helloToken: secrets.alice, secrets: [] });
    tally.check(control.problem ?? (control.status === 401 ? `alice's valid token was refused: ${control.text.slice(0, 160)}` : undefined), `${face.name} control`, 'control accepted');
    for (const attempt of attempts) {
      if (!face.applies(attempt)) continue;
      const answer = await face.run(attempt);
      // A header over the server's 16 KiB limit is refused by the HTTP parser before authentication: 400 or 431.
      const refused = answer.status === 401 || (attempt.label.includes('over the header limit') && (answer.status === 431 || answer.status === 400));
      let problem = answer.problem ?? (refused ? undefined : `answered ${answer.status} instead of 401: ${answer.text.slice(0, 160)}`);
      problem ??= leakProblem(answer.text);
      for (const secret of attempt.secrets) if (problem === undefined && secret.length >= 8 && answer.text.includes(secret)) problem = 'the answer echoes the token';
      tally.check(problem, `${face.name} with ${attempt.label}`, `refused ${answer.status}`);
    }
  }
  // Forged tokens in the query parameter /ws does take.
  for (const [label, token] of forged.slice(0, 12)) {
    for (const protocols of [['mcp'], []]) {
      const answer = await upgrade(run, { label, headers: {}, query: `?token=${encodeURIComponent(token)}`, secrets: secretsOf(token) }, protocols);
      const problem = answer.problem ?? (answer.status === 401 ? undefined : `answered ${answer.status} instead of 401`) ?? leakProblem(answer.text);
      tally.check(problem ?? (secretsOf(token).some((secret) => answer.text.includes(secret)) ? 'the answer echoes the token' : undefined), `/ws (${protocols.length ? 'MCP' : 'legacy'}) ?token= with ${label}`, `refused ${answer.status}`);
    }
  }
  const queryControl = await upgrade(run, { label: 'control', headers: {}, query: `?token=${encodeURIComponent(secrets.alice)}`, secrets: [] }, ['mcp']);
  tally.check(queryControl.status === 101 ? undefined : `alice's token in ?token= was refused on /ws: ${queryControl.status}`, '/ws (MCP) ?token= control', 'control accepted');
  return tally;
}

/** The values of a token that must not come back: the token, and its signature on its own. */
function secretsOf(token: string): string[] {
  const parts = token.split('.');
  return [token, ...(parts.length === 3 && (parts[2] as string).length >= 16 ? [parts[2] as string] : [])];
}

interface Face {
  name: string;
  applies(attempt: Attempt): boolean;
  run(attempt: Attempt): Promise<FaceAnswer>;
}

function faceCatalogue(run: FuzzRun): Face[] {
  const base = run.daemon.url;
  const http = (name: string, method: string, path: string, body?: unknown, accept = 'application/json, text/event-stream'): Face => ({
    name,
    applies: (attempt) => attempt.label !== 'jwt in the hello frame',
    run: async (attempt) => {
      const answer = await httpExchange(`${base}${path}${attempt.query ?? ''}`, {
        method,
        headers: { accept, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...attempt.headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        timeoutMs: run.timeoutMs,
        scanner: run.scanner,
      });
      return { status: answer.status, text: `${JSON.stringify(answer.headers)}\n${answer.text}`, ...(answer.failure ? { problem: `no answer: ${answer.failure}` } : {}) };
    },
  });
  const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'exai-fuzz', version: '1' } } };
  return [
    http('POST /mcp', 'POST', '/mcp', initialize),
    http('GET /mcp', 'GET', '/mcp', undefined, 'text/event-stream'),
    http('DELETE /mcp', 'DELETE', '/mcp'),
    http('POST /v1/chat/completions', 'POST', '/v1/chat/completions', { model: 'auto', messages: [{ role: 'user', content: 'hello' }], api_key: run.secrets.alice }),
    http('GET /v1/models', 'GET', '/v1/models'),
    http('GET /api/dashboard', 'GET', '/api/dashboard'),
    {
      name: '/ws (MCP)',
      // `?token=` is how WebSocket clients that cannot set headers authenticate on /ws (the control below).
      applies: (attempt) => attempt.label !== 'jwt in the hello frame' && !attempt.label.startsWith('token in ?token='),
      run: (attempt) => upgrade(run, attempt, ['mcp']),
    },
    {
      name: '/ws (legacy upgrade)',
      // Without a header or query credential the legacy upgrade is accepted and waits for hello.
      applies: (attempt) => attempt.label !== 'jwt in the hello frame' && Object.keys(attempt.headers).some((name) => name === 'authorization'),
      run: (attempt) => upgrade(run, attempt, []),
    },
    {
      name: '/ws (legacy hello)',
      applies: (attempt) => attempt.helloToken !== undefined || attempt.label === 'no credential',
      run: (attempt) => hello(run, attempt),
    },
  ];
}

async function upgrade(run: FuzzRun, attempt: Attempt, protocols: string[]): Promise<FaceAnswer> {
  try {
    const peer = await WsPeer.connect(`${run.daemon.wsUrl}${attempt.query ?? ''}`, { protocols, headers: attempt.headers, timeoutMs: run.timeoutMs, scanner: run.scanner });
    if (isRefusal(peer)) return { status: peer.status, text: `${JSON.stringify(peer.headers)}\n${peer.body}` };
    await peer.close();
    return { status: 101, text: 'upgraded' };
  } catch (error) {
    return { status: 0, text: '', problem: `upgrade failed without an HTTP answer: ${(error as Error).message}` };
  }
}

/** A legacy client greeting with the token: refused means `hello_ack` not ok, then a close with a reason. */
async function hello(run: FuzzRun, attempt: Attempt): Promise<FaceAnswer> {
  const peer = await WsPeer.connect(run.daemon.wsUrl, { timeoutMs: run.timeoutMs, scanner: run.scanner });
  if (isRefusal(peer)) return { status: peer.status, text: peer.body, problem: `the legacy upgrade without a credential was refused (${peer.status})` };
  peer.send(JSON.stringify({ op: 'hello', request_id: 'h1', ...(attempt.helloToken === undefined ? {} : { token: attempt.helloToken }) }));
  const ack = await peer.next((frame) => isRecord(frame) && frame['op'] === 'hello_ack', run.timeoutMs);
  const text = JSON.stringify(ack) ?? '';
  if (!isRecord(ack)) return { status: 0, text, problem: 'no hello_ack' };
  if (ack['ok'] === true) {
    await peer.close();
    return { status: 200, text };
  }
  const close = await Promise.race([peer.closed, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), run.timeoutMs))]);
  if (!close) return { status: 0, text, problem: 'refused in hello_ack but the connection stayed open' };
  if (close.code !== 4003 || close.reason === '') return { status: 0, text, problem: `closed with ${close.code} "${close.reason}" instead of 4003 unauthorized` };
  return { status: 401, text: `${text}\n${close.reason}` };
}
