// The Supabase adapter's requests and behaviour. No live Supabase is reachable from these tests, so
// every request goes to a local stand-in (test-support/supabase-stand-in.ts: the gateway's key
// check, PostgREST over the schema of supabase/migrations with its row-level security, Supabase
// Storage's object routes), which records what it receives. The tests assert those requests —
// method, path, filters, order and limit, `Prefer`, `apikey` and `Authorization` (the service key,
// or a user's token whose claims are verified with jose), bodies — and what the adapter makes of
// the answers, including outages (a 503, a refused connection, a timeout).
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { ExaiError } from '@exai/router/spec';
import { jwtVerify } from 'jose';
import type { Storage } from '../storage.js';
import {
  FileTooLargeError,
  InvalidStorageInputError,
  QuotaExceededError,
  StorageConfigError,
  StorageNotFoundError,
  StorageUnavailableError,
} from '../storage-errors.js';
import { MAX_OBJECT_BYTES } from '../storage-records.js';
import { createSupabaseStorage, type SupabaseStorageOptions } from './supabase-storage.js';
import { signStandInKey, startSupabaseStandIn, type RecordedRequest, type SupabaseStandIn } from './test-support/supabase-stand-in.js';

const jwtSecret = 'stand-in-jwt-secret-with-at-least-32-characters';
const secretKey = new TextEncoder().encode(jwtSecret);
const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const errorOf = async (promise: Promise<unknown>): Promise<unknown> => promise.then(
  () => undefined,
  (error: unknown) => error,
);

let standIn: SupabaseStandIn;
let serviceRoleKey: string;
let anonKey: string;
const opened: Storage[] = [];

/** A storage on the stand-in; `jwtSecret` by default (user tokens), `null` for the service key only. */
function open(options: Partial<SupabaseStorageOptions> & { secret?: string | null } = {}): Storage {
  const { secret = jwtSecret, ...rest } = options;
  const storage = createSupabaseStorage({ url: standIn.url, serviceRoleKey, anonKey, ...(secret === null ? {} : { jwtSecret: secret }), ...rest });
  opened.push(storage);
  return storage;
}

/** The requests recorded while `action` ran. */
async function recording(action: () => Promise<unknown>): Promise<RecordedRequest[]> {
  const start = standIn.requests.length;
  await action();
  return standIn.requests.slice(start);
}

const bearerOf = (request: RecordedRequest): string => (request.headers['authorization'] ?? '').replace(/^Bearer /, '');
const preferOf = (request: RecordedRequest): string[] => (request.headers['prefer'] ?? '').split(',').map((part) => part.trim()).filter(Boolean).sort();

beforeAll(async () => {
  serviceRoleKey = await signStandInKey(jwtSecret, 'service_role');
  anonKey = await signStandInKey(jwtSecret, 'anon');
  standIn = await startSupabaseStandIn({ jwtSecret, serviceRoleKey, anonKey });
});

afterEach(() => {
  jest.restoreAllMocks();
});

afterAll(async () => {
  for (const storage of opened) await storage.close();
  await standIn.close();
});

describe('tenancy', () => {
  it('sends a user scope’s requests with a short-lived HS256 token for that user, beside the anon key', async () => {
    const aliceId = randomUUID();
    const alice = open().forUser(aliceId);
    const [request] = await recording(() => alice.conversations.get('nowhere'));
    expect(request).toMatchObject({ method: 'GET', path: '/rest/v1/conversations' });
    expect(request!.headers['apikey']).toBe(anonKey);
    const { payload, protectedHeader } = await jwtVerify(bearerOf(request!), secretKey, { audience: 'authenticated', algorithms: ['HS256'] });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ sub: aliceId, role: 'authenticated', aud: 'authenticated' });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(payload.exp! * 1000).toBeGreaterThan(Date.now());
    // Row-level security does the scoping; the owner filter repeats it (and leads like the index).
    expect(request!.query.get('continuation_id')).toBe('eq.nowhere');
    expect(request!.query.get('owner_id')).toBe(`eq.${aliceId}`);
    expect(request!.query.get('limit')).toBe('1');
  });

  it('signs one token per user and reuses it until a minute before it expires', async () => {
    const storage = open();
    const aliceId = randomUUID();
    const first = await recording(async () => {
      await storage.forUser(aliceId).conversations.get('a');
      await storage.forUser(aliceId).files.list();
    });
    expect(new Set(first.map(bearerOf)).size).toBe(1);
    const bob = await recording(() => storage.forUser(randomUUID()).conversations.get('a'));
    expect(bearerOf(bob[0]!)).not.toBe(bearerOf(first[0]!));

    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 8 * 60_000);
    const later = await recording(() => storage.forUser(aliceId).conversations.get('a'));
    expect(bearerOf(later[0]!)).toBe(bearerOf(first[0]!));
    jest.spyOn(Date, 'now').mockReturnValue(now + 9.5 * 60_000);
    const renewed = await recording(() => storage.forUser(aliceId).conversations.get('a'));
    expect(bearerOf(renewed[0]!)).not.toBe(bearerOf(first[0]!));
    const { payload } = await jwtVerify(bearerOf(renewed[0]!), secretKey, { audience: 'authenticated', currentDate: new Date(now + 9.5 * 60_000) });
    expect(payload.sub).toBe(aliceId);
  });

  it('sends the service scope’s requests with the service-role key', async () => {
    const userId = randomUUID();
    const [request] = await recording(() => open().service.getQuota(userId));
    expect(request).toMatchObject({ method: 'POST', path: '/rest/v1/rpc/exai_storage_quota', body: { p_user_id: userId } });
    expect(request!.headers['apikey']).toBe(serviceRoleKey);
    expect(bearerOf(request!)).toBe(serviceRoleKey);
  });

  it('without a JWT secret, scopes every user query by the owner column under the service key', async () => {
    const aliceId = randomUUID();
    const alice = open({ secret: null }).forUser(aliceId);
    const requests = await recording(async () => {
      await alice.conversations.create({ continuationId: `t-${aliceId}` });
      await alice.conversations.list({ tool: 'chat' });
      await alice.conversations.update(`t-${aliceId}`, { title: 'x' });
      await alice.conversations.delete(`t-${aliceId}`);
    });
    expect(requests.map((request) => bearerOf(request))).toEqual(requests.map(() => serviceRoleKey));
    expect(requests.map((request) => [request.method, request.path])).toEqual([
      ['POST', '/rest/v1/conversations'],
      ['GET', '/rest/v1/conversations'],
      ['PATCH', '/rest/v1/conversations'],
      ['DELETE', '/rest/v1/conversations'],
    ]);
    expect(requests[0]!.body).toMatchObject({ continuation_id: `t-${aliceId}`, owner_id: aliceId });
    for (const request of requests.slice(1)) expect(request.query.get('owner_id')).toBe(`eq.${aliceId}`);
    expect(requests[1]!.query.get('tool')).toBe('eq.chat');
  });

  it('never lets a user, under the service key, overwrite another user’s workflow state', async () => {
    const storage = open({ secret: null });
    const alice = storage.forUser(randomUUID());
    const bob = storage.forUser(randomUUID());
    const id = `wf-${randomUUID()}`;
    await alice.workflows.put(id, 'debug', { stepNumber: 1, state: { mine: true } });
    const error = await errorOf(bob.workflows.put(id, 'debug', { stepNumber: 9, state: { stolen: true } }));
    expect(error).toBeInstanceOf(InvalidStorageInputError);
    expect(await alice.workflows.get(id, 'debug')).toMatchObject({ stepNumber: 1, state: { mine: true } });
  });

  it('refuses a user id that is not a UUID before any request', async () => {
    const requests = await recording(async () => {
      expect(() => open().forUser('admin')).toThrow(InvalidStorageInputError);
    });
    expect(requests).toEqual([]);
  });
});

describe('conversations', () => {
  it('creates a thread with one idempotent insert, and reads it back when it exists', async () => {
    const aliceId = randomUUID();
    const alice = open().forUser(aliceId);
    const id = `create-${randomUUID()}`;
    const [insert] = await recording(() => alice.conversations.create({ continuationId: id, tool: 'chat', metadata: { a: 1 } }));
    expect(insert).toMatchObject({ method: 'POST', path: '/rest/v1/conversations', body: { continuation_id: id, owner_id: aliceId, tool: 'chat', metadata: { a: 1 } } });
    expect(insert!.query.get('on_conflict')).toBe('continuation_id');
    expect(preferOf(insert!)).toEqual(['resolution=ignore-duplicates', 'return=representation']);
    const again = await recording(() => alice.conversations.create({ continuationId: id, tool: 'other' }));
    expect(again.map((request) => request.method)).toEqual(['POST', 'GET']);
    expect(standIn.db.rows('conversations').filter((row) => row['continuation_id'] === id)).toHaveLength(1);
  });

  it('appends a turn: finds the thread, inserts idempotently by key, then moves updated_at forward only', async () => {
    const aliceId = randomUUID();
    const alice = open().forUser(aliceId);
    const id = `append-${randomUUID()}`;
    const conversation = await alice.conversations.create({ continuationId: id });
    const key = `key-${randomUUID()}`;
    let message: Awaited<ReturnType<typeof alice.conversations.appendMessage>> | undefined;
    const requests = await recording(async () => {
      message = await alice.conversations.appendMessage(id, { role: 'user', content: 'hello', idempotencyKey: key, files: ['/a.ts'] });
    });
    expect(requests.map((request) => [request.method, request.path])).toEqual([
      ['GET', '/rest/v1/conversations'],
      ['POST', '/rest/v1/messages'],
      ['PATCH', '/rest/v1/conversations'],
    ]);
    const [lookup, insert, bump] = requests as [RecordedRequest, RecordedRequest, RecordedRequest];
    expect(lookup.query.get('select')).toBe('id');
    expect(lookup.query.get('continuation_id')).toBe(`eq.${id}`);
    expect(insert.query.get('on_conflict')).toBe('idempotency_key');
    expect(preferOf(insert)).toEqual(['resolution=ignore-duplicates', 'return=representation']);
    expect(insert.body).toEqual({
      conversation_id: conversation.id,
      owner_id: aliceId,
      role: 'user',
      content: 'hello',
      files: ['/a.ts'],
      images: [],
      metadata: {},
      idempotency_key: key,
    });
    expect(Object.keys(bump.body as object)).toEqual(['updated_at']);
    expect(bump.query.get('id')).toBe(`eq.${conversation.id}`);
    expect(bump.query.get('owner_id')).toBe(`eq.${aliceId}`);
    expect(bump.query.get('updated_at')).toBe(`lt.${(bump.body as { updated_at: string }).updated_at}`);
    expect(new Date((bump.body as { updated_at: string }).updated_at).getTime()).toBe(message!.createdAt.getTime());

    const repeat = await recording(async () => {
      expect((await alice.conversations.appendMessage(id, { role: 'user', content: 'hello', idempotencyKey: key })).id).toBe(message!.id);
    });
    // The insert answered no row (a duplicate): the stored turn is read back by its key.
    expect(repeat.map((request) => request.method)).toEqual(['GET', 'POST', 'GET', 'PATCH']);
    expect(repeat[2]!.query.get('idempotency_key')).toBe(`eq.${key}`);
    expect(standIn.db.rows('messages').filter((row) => row['idempotency_key'] === key)).toHaveLength(1);
    expect((await alice.conversations.get(id))!.updatedAt.getTime()).toBe(message!.createdAt.getTime());
  });

  it('refuses a turn for an unknown thread with StorageNotFoundError, writing nothing', async () => {
    const alice = open().forUser(randomUUID());
    let error: unknown;
    const requests = await recording(async () => {
      error = await errorOf(alice.conversations.appendMessage('missing', { role: 'user', content: 'x' }));
    });
    expect(error).toBeInstanceOf(StorageNotFoundError);
    expect(requests.map((request) => request.method)).toEqual(['GET']);
  });

  it('loads a thread with one request for the newest turns, then trims them to the character budget, oldest first', async () => {
    const alice = open().forUser(randomUUID());
    const id = `load-${randomUUID()}`;
    const conversation = await alice.conversations.create({ continuationId: id });
    for (let index = 0; index < 6; index++) await alice.conversations.appendMessage(id, { role: 'user', content: `${index}`.repeat(10) });
    let thread: Awaited<ReturnType<typeof alice.conversations.loadThread>>;
    const requests = await recording(async () => {
      thread = await alice.conversations.loadThread(id, { maxMessages: 4, maxChars: 35 });
    });
    const reads = requests.filter((request) => request.path === '/rest/v1/messages');
    expect(reads).toHaveLength(1);
    expect(reads[0]!.query.get('order')).toBe('created_at.desc,seq.desc');
    expect(reads[0]!.query.get('limit')).toBe('5');
    expect(reads[0]!.query.get('conversation_id')).toBe(`eq.${conversation.id}`);
    expect(thread!.messages.map((message) => message.content[0])).toEqual(['3', '4', '5']);
    expect(thread!.truncated).toBe(true);
    expect((await alice.conversations.loadThread(id, { maxMessages: 6 }))!.truncated).toBe(false);
    expect(await alice.conversations.loadThread('missing')).toBeUndefined();
  });

  it('shows a user none of another user’s threads under either tenancy', async () => {
    for (const secret of [jwtSecret, null]) {
      const storage = open({ secret });
      const alice = storage.forUser(randomUUID());
      const bob = storage.forUser(randomUUID());
      const id = `private-${randomUUID()}`;
      await alice.conversations.create({ continuationId: id });
      expect(await bob.conversations.get(id)).toBeUndefined();
      expect(await errorOf(bob.conversations.appendMessage(id, { role: 'user', content: 'x' }))).toBeInstanceOf(StorageNotFoundError);
      expect(await errorOf(bob.conversations.create({ continuationId: id }))).toBeInstanceOf(InvalidStorageInputError);
    }
  });
});

describe('files', () => {
  it('puts bytes: dedup lookup, quota, an upload that never overwrites, then the metadata', async () => {
    const aliceId = randomUUID();
    const alice = open().forUser(aliceId);
    const bytes = bytesOf(`body ${randomUUID()}`);
    const hash = sha256(bytes);
    const path = `${aliceId}/${hash.slice(0, 2)}/${hash}/dir_report v2.md`;
    const requests = await recording(() => alice.files.put({ filename: 'dir/report v2.md', bytes, contentType: 'text/markdown' }));
    expect(requests.map((request) => [request.method, request.path])).toEqual([
      ['GET', '/rest/v1/file_metadata'],
      ['POST', '/rest/v1/rpc/exai_storage_quota'],
      ['POST', `/storage/v1/object/user-files/${path.replace(' ', '%20')}`],
      ['POST', '/rest/v1/file_metadata'],
    ]);
    const [dedup, quota, upload, insert] = requests as [RecordedRequest, RecordedRequest, RecordedRequest, RecordedRequest];
    expect(Object.fromEntries(['owner_id', 'bucket', 'sha256'].map((column) => [column, dedup.query.get(column)]))).toEqual({
      owner_id: `eq.${aliceId}`,
      bucket: 'eq.user-files',
      sha256: `eq.${hash}`,
    });
    expect(quota.body).toEqual({ p_user_id: aliceId });
    expect(upload.headers['x-upsert']).toBe('false');
    expect(upload.headers['content-type']).toBe('text/markdown');
    expect(Buffer.from(upload.body as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    const { payload } = await jwtVerify(bearerOf(upload), secretKey, { audience: 'authenticated' });
    expect(payload.sub).toBe(aliceId);
    expect(insert.query.get('on_conflict')).toBe('owner_id,bucket,sha256');
    expect(preferOf(insert)).toEqual(['resolution=ignore-duplicates', 'return=representation']);
    expect(insert.body).toMatchObject({ owner_id: aliceId, bucket: 'user-files', path, filename: 'dir_report v2.md', size_bytes: bytes.length, sha256: hash });

    const again = await recording(async () => {
      expect((await alice.files.put({ filename: 'other.md', bytes })).deduplicated).toBe(true);
    });
    expect(again.map((request) => request.path)).toEqual(['/rest/v1/file_metadata']);
  });

  it('reads bytes through exai_touch_file, which counts the access', async () => {
    const aliceId = randomUUID();
    const alice = open().forUser(aliceId);
    const bytes = bytesOf(`read ${randomUUID()}`);
    const { file } = await alice.files.put({ filename: 'r.txt', bytes });
    const requests = await recording(async () => {
      expect(Buffer.from(await alice.files.read(file.id)).equals(Buffer.from(bytes))).toBe(true);
    });
    expect(requests.map((request) => [request.method, request.path])).toEqual([
      ['POST', '/rest/v1/rpc/exai_touch_file'],
      ['GET', `/storage/v1/object/user-files/${file.path}`],
    ]);
    expect(requests[0]!.body).toEqual({ p_owner_id: aliceId, p_file_id: file.id });
    expect(standIn.db.rows('file_metadata').find((row) => row['id'] === file.id)!['access_count']).toBe(1);
  });

  it('deletes the object before the row, so a retry after a failure finishes the job', async () => {
    const alice = open().forUser(randomUUID());
    const { file } = await alice.files.put({ filename: 'd.txt', bytes: bytesOf(`delete ${randomUUID()}`) });
    standIn.failNext({ status: 503, body: { message: 'upstream down' }, match: (request) => request.method === 'DELETE' && request.path === '/rest/v1/file_metadata' });
    const requests = await recording(async () => {
      expect(await errorOf(alice.files.delete(file.id))).toBeInstanceOf(StorageUnavailableError);
    });
    expect(requests.map((request) => [request.method, request.path])).toEqual([
      ['GET', '/rest/v1/file_metadata'],
      ['DELETE', '/storage/v1/object/user-files'],
      ['DELETE', '/rest/v1/file_metadata'],
    ]);
    expect(requests[1]!.body).toEqual({ prefixes: [file.path] });
    expect(standIn.objects.has(`user-files/${file.path}`)).toBe(false);
    expect(await alice.files.delete(file.id)).toBe(true);
    expect(await alice.files.get(file.id)).toBeUndefined();
  });

  it('checks the quota before sending any byte, and refuses objects over 100 MB without a request', async () => {
    const storage = open();
    const userId = randomUUID();
    const user = storage.forUser(userId);
    await storage.service.setQuota(userId, { storageQuotaBytes: 100 });
    await user.files.put({ filename: 'a.bin', bytes: new Uint8Array(60) });
    let quotaError: unknown;
    const requests = await recording(async () => {
      quotaError = await errorOf(user.files.put({ filename: 'b.bin', bytes: new Uint8Array(50).fill(7) }));
    });
    expect(quotaError).toBeInstanceOf(QuotaExceededError);
    expect(quotaError).toMatchObject({ quotaBytes: 100, usedBytes: 60, requestedBytes: 50 });
    expect(requests.some((request) => request.path.startsWith('/storage/'))).toBe(false);
    expect([...standIn.objects.keys()].filter((key) => key.includes(sha256(new Uint8Array(50).fill(7))))).toEqual([]);

    const huge = await recording(async () => {
      expect(await errorOf(user.files.put({ filename: 'huge.bin', bytes: new Uint8Array(MAX_OBJECT_BYTES + 1) }))).toBeInstanceOf(FileTooLargeError);
    });
    expect(huge).toEqual([]);
  });

  it('accepts an object already at its content-addressed path (left by a put whose metadata write failed)', async () => {
    const alice = open().forUser(randomUUID());
    const bytes = bytesOf(`retry ${randomUUID()}`);
    standIn.failNext({ status: 503, body: { message: 'down' }, match: (request) => request.method === 'POST' && request.path === '/rest/v1/file_metadata' });
    expect(await errorOf(alice.files.put({ filename: 'x.txt', bytes }))).toBeInstanceOf(StorageUnavailableError);
    const retry = await recording(async () => {
      expect((await alice.files.put({ filename: 'x.txt', bytes })).deduplicated).toBe(false);
    });
    const upload = retry.find((request) => request.path.startsWith('/storage/'));
    expect(upload).toBeDefined();
    expect(standIn.requests.at(-1)!.path).toBe('/rest/v1/file_metadata');
  });
});

describe('records and service', () => {
  it('writes records idempotently: an insert that ignores a duplicate id, answering nothing', async () => {
    const user = open().forUser(randomUUID());
    const id = randomUUID();
    const event = { id, provider: 'glm', model: 'glm-4.6', usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 2, reasoningTokens: 0, totalTokens: 3 }, costUsd: 0.5 };
    const requests = await recording(async () => {
      await user.usage.append(event);
      await user.usage.append(event);
    });
    for (const request of requests) {
      expect(request).toMatchObject({ method: 'POST', path: '/rest/v1/usage_events' });
      expect(request.query.get('on_conflict')).toBe('id');
      expect(preferOf(request)).toEqual(['resolution=ignore-duplicates']);
    }
    expect(standIn.db.rows('usage_events').filter((row) => row['id'] === id)).toHaveLength(1);
  });

  it('asks exai_usage_totals_by_day for the totals', async () => {
    const userId = randomUUID();
    const since = new Date('2026-11-01T00:00:00Z');
    const until = new Date('2026-11-02T00:00:00Z');
    const [request] = await recording(() => open().forUser(userId).usage.totalsByDay({ since, until }));
    expect(request).toMatchObject({ method: 'POST', path: '/rest/v1/rpc/exai_usage_totals_by_day' });
    expect(request!.body).toEqual({ p_user_id: userId, p_since: since.toISOString(), p_until: until.toISOString() });
  });

  it('filters uploads for reuse and cleanup in one request each', async () => {
    const userId = randomUUID();
    const uploads = open().forUser(userId).uploads;
    const now = new Date('2026-11-24T12:00:00Z');
    const unusedSince = new Date('2026-11-01T00:00:00Z');
    const [find, orphaned, expired] = await recording(async () => {
      await uploads.find('a'.repeat(64), 'kimi');
      await uploads.listOrphaned('glm');
      await uploads.listExpired({ now, unusedSince });
    });
    expect(find!.query.get('status')).toBe('eq.uploaded');
    expect(find!.query.get('or')).toMatch(/^\(expires_at\.is\.null,expires_at\.gt\."\d{4}-[^"]+Z"\)$/);
    expect(orphaned!.query.get('file_id')).toBe('is.null');
    expect(orphaned!.query.get('provider')).toBe('eq.glm');
    expect(expired!.query.get('or')).toBe(`(expires_at.lte."${now.toISOString()}",last_used_at.lt."${unusedSince.toISOString()}")`);
    for (const request of [find!, orphaned!, expired!]) expect(request.query.get('owner_id')).toBe(`eq.${userId}`);
  });

  it('lists open sessions with `is.null` and closed ones with `not.is.null`', async () => {
    const sessions = open().forUser(randomUUID()).sessions;
    const [openOnes, closedOnes] = await recording(async () => {
      await sessions.list({ open: true });
      await sessions.list({ open: false });
    });
    expect(openOnes!.query.get('ended_at')).toBe('is.null');
    expect(closedOnes!.query.get('ended_at')).toBe('not.is.null');
  });

  it('keeps metrics in the monitoring schema (Content-Profile / Accept-Profile)', async () => {
    const service = open().service;
    const name = `metric_${randomUUID().slice(0, 8)}`;
    const [insert, read] = await recording(async () => {
      await service.recordMetrics([{ name, value: 1 }, { name, value: 2, labels: { tool: 'chat' } }]);
      expect((await service.listMetrics({ name })).map((sample) => sample.value).sort()).toEqual([1, 2]);
    });
    expect(insert).toMatchObject({ method: 'POST', path: '/rest/v1/metrics_raw' });
    expect(insert!.headers['content-profile']).toBe('monitoring');
    expect((insert!.body as unknown[]).length).toBe(2);
    expect(read!.headers['accept-profile']).toBe('monitoring');
    expect(read!.query.get('order')).toBe('recorded_at.desc');
  });

  it('purges audit entries through purge_audit_logs, with the service key', async () => {
    const olderThan = new Date('2000-01-01T00:00:00Z');
    const [request] = await recording(() => open().service.purgeAudit(olderThan));
    expect(request).toMatchObject({ method: 'POST', path: '/rest/v1/rpc/purge_audit_logs', body: { older_than: olderThan.toISOString() } });
    expect(bearerOf(request!)).toBe(serviceRoleKey);
  });

  it('expires threads and workflow states past their expiry with two deletes', async () => {
    const now = new Date();
    const requests = await recording(() => open().service.expireConversations(now));
    expect(requests.map((request) => [request.method, request.path, request.query.get('expires_at')])).toEqual([
      ['DELETE', '/rest/v1/conversations', `lte.${now.toISOString()}`],
      ['DELETE', '/rest/v1/workflow_states', `lte.${now.toISOString()}`],
    ]);
  });
});

describe('errors and status', () => {
  /** A local port with nothing listening: connections to it are refused. */
  async function refusedUrl(): Promise<string> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return `http://127.0.0.1:${port}`;
  }

  it('maps a 503 to StorageUnavailableError, reports down, and up again once Supabase answers', async () => {
    const storage = open();
    const alice = storage.forUser(randomUUID());
    standIn.failNext({ status: 503, body: { code: 'PGRST001', message: 'Database client error. Retrying the connection.' } });
    const error = await errorOf(alice.conversations.list());
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(storage.status()).toMatchObject({ kind: 'supabase', state: 'down' });
    expect(storage.status().lastError).toContain('503');
    await alice.conversations.list();
    expect(storage.status().state).toBe('up');
  });

  it('maps a refused connection to StorageUnavailableError, for tables and for bucket bytes', async () => {
    const storage = createSupabaseStorage({ url: await refusedUrl(), serviceRoleKey, jwtSecret });
    const alice = storage.forUser(randomUUID());
    const error = await errorOf(alice.conversations.get('x'));
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(await errorOf(alice.files.put({ filename: 'a', bytes: bytesOf('a') }))).toBeInstanceOf(StorageUnavailableError);
    expect(storage.status()).toMatchObject({ state: 'down' });
    expect(storage.status().lastError).toMatch(/ECONNREFUSED|fetch failed/);
    await storage.close();
  });

  it('maps a Storage outage while reading bytes to StorageUnavailableError', async () => {
    const alice = open().forUser(randomUUID());
    const { file } = await alice.files.put({ filename: 'o.txt', bytes: bytesOf(`outage ${randomUUID()}`) });
    standIn.failNext({ status: 503, body: { statusCode: '503', error: 'Service Unavailable', message: 'storage down' }, match: (request) => request.path.startsWith('/storage/') });
    expect(await errorOf(alice.files.read(file.id))).toBeInstanceOf(StorageUnavailableError);
  });

  it('maps bytes that stop arriving half way to StorageUnavailableError', async () => {
    const alice = open().forUser(randomUUID());
    const { file } = await alice.files.put({ filename: 'cut.txt', bytes: bytesOf(`cut ${randomUUID()}`) });
    standIn.failNext({ status: 200, cut: true, match: (request) => request.path.startsWith('/storage/') });
    expect(await errorOf(alice.files.read(file.id))).toBeInstanceOf(StorageUnavailableError);
  });

  it('maps a request that outlasts timeoutMs to StorageUnavailableError', async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError'))));
    const storage = open({ fetch: hanging, timeoutMs: 50 });
    expect(await errorOf(storage.service.getQuota(randomUUID()))).toBeInstanceOf(StorageUnavailableError);
    expect(storage.status().state).toBe('down');
  });

  it('maps a token Supabase refuses (a wrong JWT secret) to storage_access_denied, not to an outage', async () => {
    const storage = open({ secret: 'not-the-project-secret-but-long-enough-32' });
    const error = await errorOf(storage.forUser(randomUUID()).conversations.list());
    expect(error).not.toBeInstanceOf(StorageUnavailableError);
    expect(ExaiError.isInstance(error) && error.code).toBe('storage_access_denied');
    expect((error as Error).message).toContain('SUPABASE_JWT_SECRET');
    expect(storage.status().state).toBe('up');
    expect(storage.status().lastError).toContain('401');
  });

  it('maps PostgREST codes: unique, foreign key, RLS violation, permission denied, missing function, schema cache', async () => {
    const storage = open();
    const user = storage.forUser(randomUUID());
    const answer = async (status: number, code: string, message: string, details: string | null = null): Promise<unknown> => {
      standIn.failNext({ status, body: { code, message, details, hint: null } });
      return errorOf(user.conversations.list());
    };
    expect(await answer(409, '23505', 'duplicate key value violates unique constraint', 'Key (continuation_id)=(x) already exists.')).toMatchObject({
      name: 'InvalidStorageInputError',
      field: 'continuation_id',
    });
    expect(await answer(409, '23503', 'insert or update on table "messages" violates foreign key constraint')).toBeInstanceOf(StorageNotFoundError);
    expect(await answer(403, '42501', 'new row violates row-level security policy for table "conversations"')).toMatchObject({ name: 'InvalidStorageInputError', field: 'conversations' });
    // A caller's input is not the deployment's last error; a refusal or an outage is.
    expect(storage.status().lastError).toBeUndefined();
    expect(await answer(403, '42501', 'permission denied for table conversations')).toMatchObject({ code: 'storage_access_denied' });
    expect(await answer(404, 'PGRST202', 'Could not find the function public.exai_storage_quota(p_user_id)')).toBeInstanceOf(StorageConfigError);
    expect(await answer(503, 'PGRST002', 'Could not query the database for the schema cache. Retrying.')).toBeInstanceOf(StorageUnavailableError);
    expect(storage.status().lastError).toContain('PGRST002');
    expect(await answer(429, '', 'Too many requests')).toBeInstanceOf(StorageUnavailableError);
  });

  it('maps Storage’s older answer (HTTP 400 with statusCode "404") to StorageNotFoundError', async () => {
    const alice = open().forUser(randomUUID());
    const { file } = await alice.files.put({ filename: 'n.txt', bytes: bytesOf(`nf ${randomUUID()}`) });
    standIn.failNext({ status: 400, body: { statusCode: '404', error: 'not_found', message: 'Object not found' }, match: (request) => request.path.startsWith('/storage/') });
    expect(await errorOf(alice.files.read(file.id))).toBeInstanceOf(StorageNotFoundError);
  });

  it('reports the project host as its location and never logs a key or a token', async () => {
    const logged: unknown[] = [];
    const logger = { info: (object: Record<string, unknown>, message: string) => logged.push([object, message]), warn: (object: Record<string, unknown>, message: string) => logged.push([object, message]) };
    const storage = open({ logger });
    const alice = storage.forUser(randomUUID());
    standIn.failNext({ status: 503, body: { message: 'down' } });
    const error = await errorOf(alice.conversations.list());
    await alice.conversations.list();
    const token = bearerOf(standIn.requests.at(-1)!);
    expect(logged.map((entry) => (entry as [unknown, string])[1])).toEqual(['Supabase cannot be reached', 'Supabase answers again']);
    const everything = JSON.stringify([logged, storage.status(), (error as Error).message]);
    for (const secret of [serviceRoleKey, anonKey, token, jwtSecret]) expect(everything).not.toContain(secret);
    expect(storage.status().location).toBe(new URL(standIn.url).host);
  });

  it('names each bad setting by its variable, without its value', () => {
    let error: unknown;
    try {
      createSupabaseStorage({ url: 'ftp://example.com', serviceRoleKey: '', jwtSecret: 'short-secret-value' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StorageConfigError);
    expect((error as StorageConfigError).setting).toBe('SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY, SUPABASE_JWT_SECRET');
    expect((error as Error).message).not.toContain('short-secret-value');
  });

  it('refuses calls after close without sending a request', async () => {
    const storage = open();
    await storage.close();
    const requests = await recording(async () => {
      expect(await errorOf(storage.service.getQuota(randomUUID()))).toBeInstanceOf(StorageUnavailableError);
    });
    expect(requests).toEqual([]);
  });
});
