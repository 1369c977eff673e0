import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { StandInPostgrest } from './stand-in-postgrest.js';
import { STAND_IN_BUCKETS, type AuthContext } from './stand-in-schema.js';

// A local stand-in for a Supabase project, for tests (no live Supabase is reachable from them): the
// API gateway's key check, PostgREST (see stand-in-postgrest.ts) and the object routes of Supabase
// Storage, over node:http and in-memory tables. Tokens are checked as Supabase checks legacy keys
// and user tokens: HS256 JWTs signed with the project's JWT secret, whose `role` claim picks the
// database role (`service_role` bypasses row-level security, `authenticated` sees `sub`'s rows).
// Every request is recorded, so tests can assert what the adapter sent.

export interface StandInOptions {
  jwtSecret: string;
  serviceRoleKey: string;
  anonKey: string;
}

/** One request as the stand-in received it. */
export interface RecordedRequest {
  method: string;
  /** The path without the query: `/rest/v1/messages`, `/storage/v1/object/user-files/<path>`. */
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** Parsed JSON, the raw bytes of an object upload, or undefined without a body. */
  body: unknown;
}

/** A canned answer for the next matching requests (an outage, a gateway error). */
export interface InjectedFailure {
  status: number;
  body?: unknown;
  /** How many matching requests get it (default 1). */
  times?: number;
  /** Send the status and half of the announced body, then drop the connection. */
  cut?: boolean;
  match?: (request: RecordedRequest) => boolean;
}

export interface SupabaseStandIn {
  /** `http://127.0.0.1:<port>`, the project URL. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The tables. */
  readonly db: StandInPostgrest;
  /** Bucket objects by `{bucket}/{path}`. */
  readonly objects: Map<string, { bytes: Uint8Array; contentType: string }>;
  failNext(failure: InjectedFailure): void;
  close(): Promise<void>;
}

/** A key as Supabase issues its legacy `anon` and `service_role` keys: an HS256 JWT with the role. */
export async function signStandInKey(jwtSecret: string, role: 'anon' | 'service_role'): Promise<string> {
  return new SignJWT({ role, iss: 'supabase' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('10y')
    .sign(new TextEncoder().encode(jwtSecret));
}

interface Reply {
  status: number;
  body?: unknown;
  contentType?: string;
}

class Refusal extends Error {
  constructor(readonly reply: Reply) {
    super(`refused with ${reply.status}`);
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts a stand-in on a free local port. */
export async function startSupabaseStandIn(options: StandInOptions): Promise<SupabaseStandIn> {
  const secret = new TextEncoder().encode(options.jwtSecret);
  const requests: RecordedRequest[] = [];
  const failures: InjectedFailure[] = [];
  const db = new StandInPostgrest();
  const objects = new Map<string, { bytes: Uint8Array; contentType: string }>();

  /** The gateway's key check, then the role and subject of the bearer token. */
  const authenticate = async (headers: Record<string, string>, storage: boolean): Promise<AuthContext> => {
    const apikey = headers['apikey'];
    if (apikey !== options.serviceRoleKey && apikey !== options.anonKey) {
      throw new Refusal({ status: 401, body: { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' } });
    }
    const bearer = /^Bearer (.+)$/.exec(headers['authorization'] ?? '')?.[1] ?? apikey;
    try {
      const { payload } = await jwtVerify(bearer, secret, { algorithms: ['HS256'] });
      const role = payload['role'];
      if (role !== 'service_role' && role !== 'authenticated' && role !== 'anon') throw new Error(`role "${String(role)}" does not exist`);
      return { role, sub: typeof payload.sub === 'string' ? payload.sub : undefined };
    } catch (error) {
      const expired = error instanceof joseErrors.JWTExpired;
      const message = expired ? 'JWT expired' : `JWSError ${error instanceof Error ? error.message : String(error)}`;
      if (storage) throw new Refusal({ status: 403, body: { statusCode: '403', error: 'Unauthorized', message } });
      throw new Refusal({ status: 401, body: { code: expired ? 'PGRST303' : 'PGRST301', details: null, hint: null, message } });
    }
  };

  const storageError = (status: number, error: string, message: string): Reply => ({ status, body: { statusCode: String(status), error, message } });

  /** Supabase Storage's policies on `storage.objects` for exai's buckets: the first folder is the user's id. */
  const mayTouch = (auth: AuthContext, bucket: string, path: string): boolean =>
    auth.role === 'service_role' || (auth.role === 'authenticated' && auth.sub !== undefined && path.split('/')[0] === auth.sub && STAND_IN_BUCKETS.has(bucket));

  const handleStorage = (recorded: RecordedRequest, auth: AuthContext, raw: Buffer): Reply => {
    const match = /^\/storage\/v1\/object\/([^/]+)(?:\/(.+))?$/.exec(recorded.path);
    if (!match) return storageError(404, 'not_found', 'Route not found');
    const bucket = decodeURIComponent(match[1] ?? '');
    const path = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    const limits = STAND_IN_BUCKETS.get(bucket);
    if (!limits) return storageError(404, 'Bucket not found', 'Bucket not found');
    if (recorded.method === 'DELETE' && path === undefined) {
      const prefixes = ((recorded.body as { prefixes?: unknown } | undefined)?.prefixes ?? []) as string[];
      const removed = prefixes.filter((prefix) => mayTouch(auth, bucket, prefix) && objects.delete(`${bucket}/${prefix}`));
      return { status: 200, body: removed.map((name) => ({ name, bucket_id: bucket })) };
    }
    if (path === undefined) return storageError(400, 'invalid', 'The object path is missing');
    const key = `${bucket}/${path}`;
    if (recorded.method === 'GET') {
      const object = objects.get(key);
      if (!object || !mayTouch(auth, bucket, path)) return storageError(404, 'not_found', 'Object not found');
      return { status: 200, body: object.bytes, contentType: object.contentType };
    }
    if (recorded.method === 'POST' || recorded.method === 'PUT') {
      if (!mayTouch(auth, bucket, path)) return storageError(403, 'Unauthorized', 'new row violates row-level security policy');
      if (raw.byteLength > limits.fileSizeLimit) return storageError(413, 'Payload too large', 'The object exceeded the maximum allowed size');
      const upsert = recorded.headers['x-upsert'] === 'true';
      if (objects.has(key) && !upsert) return storageError(409, 'Duplicate', 'The resource already exists');
      objects.set(key, { bytes: new Uint8Array(raw), contentType: recorded.headers['content-type'] ?? 'application/octet-stream' });
      return { status: 200, body: { Id: randomUUID(), Key: key } };
    }
    return storageError(405, 'invalid', `${recorded.method} is not supported here`);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name.toLowerCase()] = value;
    const raw = await readBody(request);
    const isJson = (headers['content-type'] ?? '').includes('json');
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers,
      body: raw.byteLength === 0 ? undefined : isJson ? JSON.parse(raw.toString('utf8')) : new Uint8Array(raw),
    };
    requests.push(recorded);

    let reply: Reply;
    const failure = failures.find((candidate) => !candidate.match || candidate.match(recorded));
    if (failure) {
      failure.times = (failure.times ?? 1) - 1;
      if (failure.times <= 0) failures.splice(failures.indexOf(failure), 1);
      if (failure.cut) {
        response.writeHead(failure.status, { 'content-length': '1000', 'content-type': 'application/octet-stream' });
        response.write(Buffer.alloc(500));
        // Late enough that the client has the headers (its fetch resolved) and is reading the body.
        setTimeout(() => response.socket?.destroy(), 20);
        return;
      }
      reply = { status: failure.status, body: failure.body };
    } else {
      try {
        if (url.pathname.startsWith('/rest/v1/')) {
          const auth = await authenticate(headers, false);
          reply = db.handle(recorded.method, url.pathname.slice('/rest/v1/'.length), url.searchParams, headers, recorded.body, auth);
        } else if (url.pathname.startsWith('/storage/v1/')) {
          reply = handleStorage(recorded, await authenticate(headers, true), raw);
        } else {
          reply = { status: 404, body: { message: 'no Route matched with those values' } };
        }
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        reply = error.reply;
      }
    }
    if (reply.body === undefined) {
      response.writeHead(reply.status).end();
    } else if (reply.body instanceof Uint8Array) {
      response.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/octet-stream' }).end(reply.body);
    } else {
      response.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(reply.body));
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `stand-in failure: ${String(error)}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    db,
    objects,
    failNext(failure: InjectedFailure): void {
      failures.push({ ...failure });
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
