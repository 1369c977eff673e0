import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startSimulator, type RecordedRequest, type Simulator } from '@exai/provider-sim';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startStdio, textOf, type StdioSession } from './test-support/stdio-harness.js';

// End to end: the built exai-stdio, driven by the MCP SDK client over stdio, against the provider
// simulator — the GLM, Kimi and cross-provider tools and the simple tools, as a user calls them.

type Structured = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Distinctive key values, so a leak anywhere in a result is found by a plain text scan. */
const GLM_KEY = 'glm-e2e-key-5f1c9a04';
const KIMI_KEY = 'kimi-e2e-key-83d2e7b1';

let sim: Simulator;
let session: StdioSession;
/** A PGlite-backed process, started early: opening and migrating an embedded database takes seconds. */
let pglite: { cwd: string; env: Record<string, string>; first: Promise<StdioSession> };
/** The only allowed folder (EXAI_ALLOWED_ROOTS) of the main session. */
const dir = mkdtempSync(join(tmpdir(), 'exai-vendor-'));
/** A folder outside the allowed roots. */
const elsewhere = mkdtempSync(join(tmpdir(), 'exai-vendor-elsewhere-'));
let fixtureCount = 0;

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    TOOL_PROFILE: 'full',
    GLM_API_KEY: GLM_KEY,
    GLM_BASE_URL: sim.glmBaseURL,
    KIMI_API_KEY: KIMI_KEY,
    KIMI_BASE_URL: sim.kimiBaseURL,
    EXAI_RETRY_INITIAL_DELAY_MS: '10',
    EXAI_ALLOWED_ROOTS: dir,
    ...extra,
  };
}

async function call(name: string, args: Record<string, unknown>, on: StdioSession = session): Promise<CallToolResult> {
  return (await on.client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The structured result of a call that must succeed. */
async function ok(name: string, args: Record<string, unknown>, on: StdioSession = session): Promise<Structured> {
  const result = await call(name, args, on);
  if (result.isError) throw new Error(`${name} failed: ${textOf(result)}`);
  return result.structuredContent as Structured;
}

/** Writes a file with content unique to this run (so dedup never crosses tests unless asked). */
function fixture(name: string, content = `fixture ${++fixtureCount}: ${name} at ${Date.now()}\n`, folder = dir): { path: string; content: string } {
  const path = join(folder, name);
  writeFileSync(path, content);
  return { path, content };
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Requests logged before this id are left out (set by {@link markRequests}; the log itself is read-only). */
let sinceId = 0;

/** From now on, the request helpers only see newer requests (without clearing the simulator's files). */
function markRequests(): void {
  sinceId = sim.requests.at(-1)?.id ?? sinceId;
}

function requests(vendor: 'glm' | 'kimi', method: string, path: string | RegExp): RecordedRequest[] {
  return sim.requests.filter(
    (entry) => entry.id > sinceId && entry.vendor === vendor && entry.method === method && (typeof path === 'string' ? entry.path.endsWith(path) : path.test(entry.path)),
  );
}

const newRequests = (): RecordedRequest[] => sim.requests.filter((entry) => entry.id > sinceId);

const uploadsTo = (vendor: 'glm' | 'kimi'): RecordedRequest[] => requests(vendor, 'POST', '/files');
const chatsTo = (vendor: 'glm' | 'kimi'): RecordedRequest[] => requests(vendor, 'POST', '/chat/completions');
const deletesAtKimi = (): RecordedRequest[] => requests('kimi', 'DELETE', /\/v1\/files\/[^/]+$/);

function lastChat(vendor: 'glm' | 'kimi'): Structured {
  const chat = chatsTo(vendor).at(-1);
  if (!chat) throw new Error(`no ${vendor} chat request`);
  return chat.body as Structured;
}

/** Neither key's value appears anywhere in what the client received. */
function expectNoKeys(result: unknown): void {
  const json = JSON.stringify(result);
  expect(json).not.toContain(GLM_KEY);
  expect(json).not.toContain(KIMI_KEY);
}

/** What every model-calling tool reports about its call. */
function expectCallMetadata(metadata: Structured, expected: { provider: 'glm' | 'kimi'; model?: string }): void {
  expect(metadata.provider).toBe(expected.provider);
  if (expected.model) expect(metadata.model).toBe(expected.model);
  else expect(metadata.model).toEqual(expect.any(String));
  expect(metadata.tokens.input).toBeGreaterThan(0);
  expect(metadata.tokens.output).toBeGreaterThan(0);
  expect(metadata.cost_usd).toEqual(expect.any(Number));
  expect(metadata.cost_usd).toBeGreaterThanOrEqual(0);
  expect(metadata.duration_ms).toEqual(expect.any(Number));
  expect(metadata.duration_ms).toBeGreaterThanOrEqual(0);
  expect(metadata.routing.attempts.length).toBeGreaterThan(0);
}

/** A file put straight into the Kimi account, outside exai (same key): exai has no record of it. */
async function uploadOutsideExai(filename: string, content: string): Promise<string> {
  const form = new FormData();
  form.append('purpose', 'file-extract');
  form.append('file', new Blob([content], { type: 'text/plain' }), filename);
  const response = await fetch(`${sim.kimiBaseURL}/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${KIMI_KEY}` } });
  return ((await response.json()) as { id: string }).id;
}

async function deleteOutsideExai(fileId: string): Promise<void> {
  await fetch(`${sim.kimiBaseURL}/files/${fileId}`, { method: 'DELETE', headers: { authorization: `Bearer ${KIMI_KEY}` } });
}

/**
 * Starts a call the test cancels: `outcome` settles with the call's error (or result) and never
 * rejects, so a failing assertion cannot leave a rejected call behind to crash the run.
 */
function cancellable(name: string, args: Record<string, unknown>): { controller: AbortController; outcome: Promise<unknown> } {
  const controller = new AbortController();
  const outcome = session.client.callTool({ name, arguments: args }, undefined, { signal: controller.signal }).then(
    (result) => result,
    (error: unknown) => error,
  );
  return { controller, outcome };
}

/** Polls `activity` until a call matching the filter is listed (a cancelled call is recorded just after the cancel). */
async function activityEventually(filter: Record<string, unknown>, on: StdioSession = session): Promise<Structured> {
  for (let attempt = 0; ; attempt++) {
    const output = await ok('activity', filter, on);
    if (output.calls.length > 0 || attempt >= 40) return output;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  sim = await startSimulator();
  const cwd = mkdtempSync(join(dir, 'pglite-'));
  const pgEnv = env({ EXAI_STORAGE: 'pglite', EXAI_DATA_DIR: join(cwd, 'data') });
  pglite = { cwd, env: pgEnv, first: startStdio(pgEnv, { cwd }) };
  session = await startStdio(env());
});

afterAll(async () => {
  await session?.close();
  // Closed by its test; again here in case that test failed early (closing twice is harmless).
  await (await pglite?.first.catch(() => undefined))?.close();
  await sim?.close();
  for (const folder of [dir, elsewhere]) rmSync(folder, { recursive: true, force: true });
});

beforeEach(() => {
  sim.reset();
  sinceId = 0;
});

describe('kimi_upload_files', () => {
  it('uploads each file once and returns its Kimi file id, stored id and sha256', async () => {
    const a = fixture('alpha.md');
    const b = fixture('beta.txt');
    const result = await call('kimi_upload_files', { files: [a.path, b.path] });
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as Structured;
    expect(output).toMatchObject({ uploaded: 2, reused: 0, failed: 0 });
    expect(output.files).toEqual([
      expect.objectContaining({ path: a.path, status: 'uploaded', filename: 'alpha.md', sha256: sha256(a.content), file_id: expect.any(String), stored_file_id: expect.any(String) }),
      expect.objectContaining({ path: b.path, status: 'uploaded', filename: 'beta.txt', sha256: sha256(b.content), file_id: expect.any(String), stored_file_id: expect.any(String) }),
    ]);
    const uploads = uploadsTo('kimi');
    expect(uploads.map((entry) => entry.body)).toEqual([
      { purpose: 'file-extract', filename: 'alpha.md', bytes: a.content.length },
      { purpose: 'file-extract', filename: 'beta.txt', bytes: b.content.length },
    ]);
    expect(uploads.map((entry) => entry.headers['authorization'])).toEqual([`Bearer ${KIMI_KEY}`, `Bearer ${KIMI_KEY}`]);
    // The ids are the ones Kimi has.
    const listed = await ok('kimi_manage_files', { operation: 'list' });
    expect(listed.files.map((file: Structured) => file.file_id)).toEqual(expect.arrayContaining(output.files.map((file: Structured) => file.file_id)));
    expect(textOf(result)).toContain(`✓ ${a.path} → ${output.files[0].file_id}`);
  });

  it('reuses the earlier upload of the same content, under any name, without an upload request', async () => {
    const original = fixture('report.md');
    const first = await ok('kimi_upload_files', { files: [original.path] });
    const copy = fixture('report-copy.md', original.content);
    markRequests();
    const again = await call('kimi_upload_files', { files: [original.path, copy.path] });
    expect(again.isError).toBeFalsy();
    const output = again.structuredContent as Structured;
    expect(output).toMatchObject({ uploaded: 0, reused: 2, failed: 0 });
    for (const file of output.files) {
      expect(file).toMatchObject({ status: 'reused', file_id: first.files[0].file_id, stored_file_id: first.files[0].stored_file_id, sha256: sha256(original.content) });
    }
    // No upload: one listing confirms Kimi still has the file.
    expect(uploadsTo('kimi')).toHaveLength(0);
    expect(newRequests().map((entry) => `${entry.method} ${entry.path}`)).toEqual(['GET /v1/files']);
    expect(textOf(again)).toContain('(reused)');
    expect(textOf(again)).toContain('0 uploaded, 2 reused, 0 failed');
  });

  it('refuses a path outside EXAI_ALLOWED_ROOTS and a secret store, naming each path', async () => {
    const outside = fixture('outside.md', 'not yours\n', elsewhere);
    const secret = fixture('.env', `KIMI_API_KEY=${KIMI_KEY}\n`);
    const refused = await call('kimi_upload_files', { files: [outside.path, secret.path] });
    expect(refused.isError).toBe(true);
    const text = textOf(refused);
    expect(text).toContain(`✗ ${outside.path}: ${outside.path}: outside the allowed folders`);
    expect(text).toContain('EXAI_ALLOWED_ROOTS');
    expect(text).toContain(`✗ ${secret.path}: ${secret.path}: .env holds environment secrets`);
    expect(text).toContain('[upload_failed]');
    expectNoKeys(refused);
    expect(uploadsTo('kimi')).toHaveLength(0);

    // Beside a good file: the good one is uploaded, the refused one listed with its reason.
    const good = fixture('good.md');
    const mixed = await call('kimi_upload_files', { files: [good.path, outside.path] });
    expect(mixed.isError).toBeFalsy();
    const output = mixed.structuredContent as Structured;
    expect(output).toMatchObject({ uploaded: 1, failed: 1 });
    expect(output.files[1]).toMatchObject({ path: outside.path, status: 'failed', reason: expect.stringContaining(`${outside.path}: outside the allowed folders`) });
    expect(uploadsTo('kimi').map((entry) => (entry.body as Structured).filename)).toEqual(['good.md']);
  });
});

describe('kimi_chat_with_files', () => {
  it("gives Kimi each file's extracted text as a system message and answers from it", async () => {
    const notes = fixture('notes.md', '# Notes\nThe cache TTL is 300 seconds.\n');
    const data = fixture('data.csv', 'id,name\n1,Ada\n2,Grace\n');
    const result = await call('kimi_chat_with_files', { prompt: 'What is the cache TTL?', files: [notes.path, data.path] });
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as Structured;
    expect(output.content).toContain('[kimi-k2-0905-preview] You said: "What is the cache TTL?" (messages: 4, system: 3, images: 0, tools: 0)');
    expect(output.content).toContain(`Read file notes.md (${notes.content.length} chars).`);
    expect(output.content).toContain(`Read file data.csv (${data.content.length} chars).`);
    expect(output.files).toEqual([
      { file_id: expect.any(String), filename: 'notes.md', chars: notes.content.length },
      { file_id: expect.any(String), filename: 'data.csv', chars: data.content.length },
    ]);
    expect(output.continuation_id).toEqual(expect.any(String));
    expectCallMetadata(output.metadata, { provider: 'kimi', model: 'kimi-k2-0905-preview' });

    // On the wire: uploaded, extracted through /files/{id}/content, then one system message per file.
    expect(uploadsTo('kimi')).toHaveLength(2);
    expect(requests('kimi', 'GET', /\/files\/[^/]+\/content$/).map((entry) => entry.path)).toEqual(output.files.map((file: Structured) => `/v1/files/${file.file_id}/content`));
    const body = lastChat('kimi');
    expect(body.model).toBe('kimi-k2-0905-preview');
    expect(body.messages.map((message: Structured) => message.role)).toEqual(['system', 'system', 'system', 'user']);
    expect(JSON.parse(body.messages[1].content)).toMatchObject({ content: notes.content, filename: 'notes.md', type: 'file' });
    expect(JSON.parse(body.messages[2].content)).toMatchObject({ content: data.content, filename: 'data.csv', type: 'file' });
    expect(body.messages[3]).toEqual({ role: 'user', content: 'What is the cache TTL?' });
    expect(textOf(result)).toContain('Files: notes.md');
  });

  it('asks about file ids from kimi_upload_files without uploading again, and continues the thread', async () => {
    const spec = fixture('spec.md', 'The API returns JSON.\n');
    const uploaded = await ok('kimi_upload_files', { files: [spec.path] });
    const fileId = uploaded.files[0].file_id as string;
    const first = await ok('kimi_chat_with_files', { prompt: 'What does the API return?', file_ids: [fileId] });
    expect(first.files).toEqual([{ file_id: fileId, filename: 'spec.md', chars: spec.content.length }]);
    expect(first.content).toContain(`Read file spec.md (${spec.content.length} chars).`);
    expect(uploadsTo('kimi')).toHaveLength(1);

    const second = await ok('kimi_chat_with_files', { prompt: 'And in which format again?', file_ids: [fileId], continuation_id: first.continuation_id });
    expect(second.continuation_id).toBe(first.continuation_id);
    const roles = lastChat('kimi').messages.map((message: Structured) => message.role);
    expect(roles).toEqual(['system', 'system', 'user', 'assistant', 'user']);
    expect(uploadsTo('kimi')).toHaveLength(1);
  });

  it("refuses files over the max_chars budget, naming each file and its size, before asking the model", async () => {
    const big = fixture('big.md', `${'long line of text\n'.repeat(10)}`);
    const small = fixture('small.md', 'tiny\n');
    const result = await call('kimi_chat_with_files', { prompt: 'Summarise', files: [big.path, small.path], max_chars: 50 });
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text).toContain(`The files' text is ${big.content.length + small.content.length} chars, over the 50-char budget`);
    expect(text).toContain(`(big.md): ${big.content.length} chars`);
    expect(text).toContain(`(small.md): ${small.content.length} chars`);
    expect(text).toContain('max_chars');
    expect(chatsTo('kimi')).toHaveLength(0);

    // Within a raised budget the same files are asked about.
    const within = await ok('kimi_chat_with_files', { prompt: 'Summarise', files: [big.path, small.path], max_chars: 1_000 });
    expect(within.files).toHaveLength(2);
    expect(chatsTo('kimi')).toHaveLength(1);
  });

  it('uploads a file again when Kimi no longer has the earlier upload', async () => {
    const doc = fixture('lost-at-kimi.md', 'Rotate the keys monthly.\n');
    const first = await ok('kimi_chat_with_files', { prompt: 'How often?', files: [doc.path] });
    await deleteOutsideExai(first.files[0].file_id);
    markRequests();
    const second = await call('kimi_chat_with_files', { prompt: 'How often again?', files: [doc.path] });
    expect(second.isError).toBeFalsy();
    const output = second.structuredContent as Structured;
    expect(output.files[0].file_id).not.toBe(first.files[0].file_id);
    expect(output.content).toContain(`Read file lost-at-kimi.md (${doc.content.length} chars).`);
    expect(uploadsTo('kimi')).toHaveLength(1);
  });

  it('refuses a file id exai did not upload, and asks nothing when a path is refused', async () => {
    const foreign = await uploadOutsideExai('theirs.txt', 'someone else\n');
    const refused = await call('kimi_chat_with_files', { prompt: 'Read it', file_ids: [foreign] });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain(`Not uploaded through exai for you (or deleted since): ${foreign}`);
    expect(requests('kimi', 'GET', `/files/${foreign}/content`)).toHaveLength(0);

    const good = fixture('fine.md');
    const secret = fixture('.env.local', 'TOKEN=x\n');
    const partly = await call('kimi_chat_with_files', { prompt: 'Compare', files: [good.path, secret.path] });
    expect(partly.isError).toBe(true);
    expect(textOf(partly)).toContain('Not every file could be uploaded, so nothing was asked');
    expect(textOf(partly)).toContain(`✗ ${secret.path}`);
    expect(chatsTo('kimi')).toHaveLength(0);
  });
});

describe('kimi_manage_files', () => {
  it('lists Kimi files, marking those exai has no record of', async () => {
    const a = fixture('list-a.md');
    const uploaded = await ok('kimi_upload_files', { files: [a.path] });
    const untracked = await uploadOutsideExai('other.txt', 'other\n');
    const listed = await call('kimi_manage_files', { operation: 'list' });
    expect(listed.isError).toBeFalsy();
    const output = listed.structuredContent as Structured;
    expect(output).toMatchObject({ operation: 'list', dry_run: false, deleted: 0, failed: 0 });
    expect(output.files).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file_id: uploaded.files[0].file_id, filename: 'list-a.md', tracked: true, action: 'listed', last_used: expect.any(String) }),
        expect.objectContaining({ file_id: untracked, filename: 'other.txt', tracked: false, action: 'listed' }),
      ]),
    );
    expect(textOf(listed)).toContain('[untracked]');
  });

  it('deletes files by id, and says which id Kimi does not have', async () => {
    const a = fixture('delete-a.md');
    const id = (await ok('kimi_upload_files', { files: [a.path] })).files[0].file_id as string;
    const result = await ok('kimi_manage_files', { operation: 'delete', file_ids: [id, 'no-such-file'] });
    expect(result.files).toEqual([
      expect.objectContaining({ file_id: id, action: 'deleted', tracked: true }),
      expect.objectContaining({ file_id: 'no-such-file', action: 'failed', reason: 'Kimi has no such file' }),
    ]);
    expect(result).toMatchObject({ deleted: 1, failed: 1 });
    expect(deletesAtKimi().map((entry) => entry.path)).toEqual([`/v1/files/${id}`]);
    const after = await ok('kimi_manage_files', { operation: 'list' });
    expect(after.files.map((file: Structured) => file.file_id)).not.toContain(id);

    // The content is uploaded afresh next time (its record was marked deleted).
    const again = await ok('kimi_upload_files', { files: [a.path] });
    expect(again.files[0].status).toBe('uploaded');
  });

  it('cleanup_orphaned: the dry run deletes nothing, the real run forgets and deletes', async () => {
    const gone = fixture('orphan-gone.md');
    const kept = fixture('orphan-kept.md');
    const uploaded = await ok('kimi_upload_files', { files: [gone.path, kept.path] });
    const goneId = uploaded.files[0].file_id as string;
    const keptId = uploaded.files[1].file_id as string;
    await deleteOutsideExai(goneId);
    const untracked = await uploadOutsideExai('stray.txt', 'stray\n');
    markRequests();

    const dry = await ok('kimi_manage_files', { operation: 'cleanup_orphaned', dry_run: true, include_untracked: true });
    expect(dry.dry_run).toBe(true);
    const dryById = new Map(dry.files.map((file: Structured) => [file.file_id, file]));
    expect(dryById.get(goneId)).toMatchObject({ action: 'would_forget', reason: 'Kimi no longer has it' });
    expect(dryById.get(untracked)).toMatchObject({ action: 'would_delete', tracked: false, reason: 'exai has no record of it' });
    expect(dryById.has(keptId)).toBe(false);
    expect(dry.deleted).toBe(0);
    expect(deletesAtKimi()).toHaveLength(0);

    // Without include_untracked, a file exai has no record of is not the user's to delete.
    const cautious = await ok('kimi_manage_files', { operation: 'cleanup_orphaned', dry_run: true });
    expect(cautious.files.find((file: Structured) => file.file_id === untracked)).toBeUndefined();

    const real = await ok('kimi_manage_files', { operation: 'cleanup_orphaned', include_untracked: true });
    const realById = new Map(real.files.map((file: Structured) => [file.file_id, file]));
    expect(realById.get(goneId)).toMatchObject({ action: 'forgotten' });
    expect(realById.get(untracked)).toMatchObject({ action: 'deleted' });
    expect(deletesAtKimi().map((entry) => entry.path)).toEqual([`/v1/files/${untracked}`]);

    const after = await ok('kimi_manage_files', { operation: 'list' });
    const ids = after.files.map((file: Structured) => file.file_id);
    expect(ids).toContain(keptId);
    expect(ids).not.toContain(goneId);
    expect(ids).not.toContain(untracked);
  });

  it('cleanup_expired: the dry run deletes nothing, the real run deletes the unused uploads', async () => {
    const old = fixture('expired.md');
    const id = (await ok('kimi_upload_files', { files: [old.path] })).files[0].file_id as string;
    // Unused for 0+ days: every upload made before now.
    const dry = await call('kimi_manage_files', { operation: 'cleanup_expired', unused_days: 0, dry_run: true });
    expect(dry.isError).toBeFalsy();
    expect((dry.structuredContent as Structured).files.find((file: Structured) => file.file_id === id)).toMatchObject({ action: 'would_delete', reason: 'expired or unused for 0+ days' });
    expect(textOf(dry)).toContain('(dry run: nothing changed)');
    expect(deletesAtKimi()).toHaveLength(0);
    expect((await ok('kimi_manage_files', { operation: 'list' })).files.map((file: Structured) => file.file_id)).toContain(id);

    // The default (30 days) keeps a fresh upload.
    const fresh = await ok('kimi_manage_files', { operation: 'cleanup_expired' });
    expect(fresh.files.find((file: Structured) => file.file_id === id)).toBeUndefined();
    expect(deletesAtKimi()).toHaveLength(0);

    const real = await ok('kimi_manage_files', { operation: 'cleanup_expired', unused_days: 0 });
    expect(real.files.find((file: Structured) => file.file_id === id)).toMatchObject({ action: 'deleted' });
    expect(deletesAtKimi().map((entry) => entry.path)).toContain(`/v1/files/${id}`);
    expect((await ok('kimi_manage_files', { operation: 'list' })).files.map((file: Structured) => file.file_id)).not.toContain(id);
  });
});

describe('smart_file_query', () => {
  it('uploads a file once per content and provider, then answers from its text', async () => {
    const design = fixture('design.md', 'Use a ring buffer of 4096 entries.\n');
    const first = await call('smart_file_query', { file_path: design.path, question: 'How large is the buffer?' });
    expect(first.isError).toBeFalsy();
    const output = first.structuredContent as Structured;
    const provider = output.file.provider as 'glm' | 'kimi';
    expect(output.file).toMatchObject({ path: design.path, sha256: sha256(design.content), upload: 'uploaded', file_id: expect.any(String), stored_file_id: expect.any(String) });
    expect(output.content).toContain(`Read file design.md (${design.content.length} chars).`);
    expectCallMetadata(output.metadata, { provider });
    expect(output.metadata.routing.reasons[0]).toContain(`${provider} reads the file`);
    expect(uploadsTo(provider)).toHaveLength(1);
    expect(JSON.parse(lastChat(provider).messages[1].content)).toMatchObject({ content: design.content, filename: 'design.md' });

    const again = await ok('smart_file_query', { file_path: design.path, question: 'Why that size?', continuation_id: output.continuation_id });
    expect(again.file).toMatchObject({ upload: 'reused', provider, file_id: output.file.file_id, stored_file_id: output.file.stored_file_id });
    expect(again.continuation_id).toBe(output.continuation_id);
    expect(uploadsTo('glm').length + uploadsTo('kimi').length).toBe(1);
    expect(chatsTo(provider)).toHaveLength(2);
  });

  it('falls back to the other provider when the first cannot read the file, and says who answered', async () => {
    const log = fixture('service.log', 'ERROR disk full on /var\n');
    sim.addFault({ vendor: 'kimi', path: '/files', fault: 'status:500' });
    const result = await call('smart_file_query', { file_path: log.path, question: 'What failed?', provider: 'kimi' });
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as Structured;
    expect(output.file).toMatchObject({ provider: 'glm', upload: 'uploaded' });
    expectCallMetadata(output.metadata, { provider: 'glm' });
    expect(output.content).toContain(`Read file service.log (${log.content.length} chars).`);
    expect(output.metadata.routing.reasons).toEqual(expect.arrayContaining([expect.stringContaining('fell back to glm to read the file (kimi:'), 'file read by glm (uploaded)']));
    expect(textOf(result)).toContain('fell back to glm');
    // Kimi's files API answered 500 (its upload checks the account's files first), GLM's took the file.
    const atKimi = sim.requests.filter((entry) => entry.vendor === 'kimi' && entry.path === '/v1/files');
    expect(atKimi.length).toBeGreaterThan(0);
    for (const entry of atKimi) expect(entry.status).toBe(500);
    expect(uploadsTo('glm')).toHaveLength(1);
    expect(chatsTo('kimi')).toHaveLength(0);
    expect(chatsTo('glm')).toHaveLength(1);
  });

  it('uploads again when the provider lost an earlier upload', async () => {
    const doc = fixture('lost.md', 'Version 2 ships in May.\n');
    const first = await ok('smart_file_query', { file_path: doc.path, question: 'When?', provider: 'kimi' });
    await deleteOutsideExai(first.file.file_id);
    const second = await ok('smart_file_query', { file_path: doc.path, question: 'When again?', provider: 'kimi' });
    expect(second.file.upload).toBe('uploaded');
    expect(second.file.file_id).not.toBe(first.file.file_id);
    expect(second.content).toContain(`Read file lost.md (${doc.content.length} chars).`);
  });

  it('refuses a file outside the allowed folders without calling a provider', async () => {
    const outside = fixture('private.md', 'secret plans\n', elsewhere);
    const result = await call('smart_file_query', { file_path: outside.path, question: 'What is in it?' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(`${outside.path}: outside the allowed folders`);
    expect(newRequests()).toHaveLength(0);
  });
});

describe('smart_file_download', () => {
  it('saves a stored file by id into an allowed folder, sha256 verified, without calling a provider', async () => {
    const source = fixture('download-me.md', 'bytes to bring back\n');
    const uploaded = await ok('kimi_upload_files', { files: [source.path] });
    const storedId = uploaded.files[0].stored_file_id as string;
    markRequests();

    const into = join(dir, 'downloads', `run-${Date.now()}`);
    const result = await call('smart_file_download', { file_id: storedId, destination: `${into}/` });
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as Structured;
    const target = join(into, 'download-me.md');
    expect(output).toEqual({ path: target, file_id: storedId, filename: 'download-me.md', size_bytes: source.content.length, sha256: sha256(source.content), verified: true, overwritten: false });
    expect(readFileSync(target, 'utf8')).toBe(source.content);
    expect(textOf(result)).toContain(`sha256 ${sha256(source.content)} verified`);
    expect(newRequests()).toHaveLength(0);

    // By the Kimi file id, to a named file.
    const named = join(into, 'copy.md');
    const byProviderId = await ok('smart_file_download', { file_id: uploaded.files[0].file_id, destination: named });
    expect(byProviderId).toMatchObject({ path: named, file_id: storedId, verified: true });
    expect(sha256(readFileSync(named))).toBe(sha256(source.content));
  });

  it('never overwrites unless asked', async () => {
    const source = fixture('twice.md', 'version one\n');
    const storedId = (await ok('kimi_upload_files', { files: [source.path] })).files[0].stored_file_id as string;
    const into = join(dir, `overwrite-${Date.now()}`);
    mkdirSync(into);
    writeFileSync(join(into, 'twice.md'), 'local edits\n');
    const refused = await call('smart_file_download', { file_id: storedId, destination: into });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain(`${join(into, 'twice.md')} exists; pass overwrite: true to replace it`);
    expect(readFileSync(join(into, 'twice.md'), 'utf8')).toBe('local edits\n');

    const replaced = await ok('smart_file_download', { file_id: storedId, destination: into, overwrite: true });
    expect(replaced.overwritten).toBe(true);
    expect(readFileSync(join(into, 'twice.md'), 'utf8')).toBe('version one\n');
  });

  it('refuses a destination outside the allowed folders or a secret store, naming it', async () => {
    const source = fixture('stay-inside.md');
    const storedId = (await ok('kimi_upload_files', { files: [source.path] })).files[0].stored_file_id as string;
    const outside = join(elsewhere, 'stolen.md');
    const refused = await call('smart_file_download', { file_id: storedId, destination: outside });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain(`${outside}: outside the allowed folders`);
    expect(textOf(refused)).toContain('EXAI_ALLOWED_ROOTS');

    const secret = join(dir, '.env');
    const intoSecret = await call('smart_file_download', { file_id: storedId, destination: secret });
    expect(intoSecret.isError).toBe(true);
    expect(textOf(intoSecret)).toContain(`${secret}: .env holds environment secrets`);
  });

  it('says clearly when no stored file has the id', async () => {
    for (const id of ['file-does-not-exist', '00000000-0000-4000-8000-000000000000']) {
      const result = await call('smart_file_download', { file_id: id, destination: join(dir, 'nowhere') });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(`No stored file has id ${id}`);
      expect(textOf(result)).toContain('file_id');
    }
  });
});

describe('glm_web_search', () => {
  it('sends query, count, recency and domain filter to /web_search and returns structured results', async () => {
    const result = await call('glm_web_search', { query: 'Node 24 release', count: 3, recency: 'oneWeek', domain: 'nodejs.org', content_size: 'high' });
    expect(result.isError).toBeFalsy();
    const searches = requests('glm', 'POST', '/web_search');
    expect(searches).toHaveLength(1);
    expect(searches[0]!.body).toMatchObject({ search_query: 'Node 24 release', count: 3, search_recency_filter: 'oneWeek', search_domain_filter: 'nodejs.org', content_size: 'high' });
    expect(searches[0]!.headers['authorization']).toBe(`Bearer ${GLM_KEY}`);
    const output = result.structuredContent as Structured;
    expect(output.query).toBe('Node 24 release');
    expect(output.results).toHaveLength(3);
    expect(output.results[0]).toEqual({
      title: 'Result 1 for Node 24 release',
      url: 'https://search.sim.local/node-24-release/1',
      content: expect.stringContaining('Simulated search result 1'),
      publish_date: '2025-01-01',
    });
    expect(output.request_id).toEqual(expect.any(String));
    expect(output.cost_usd).toBeGreaterThan(0);
    expect(output.duration_ms).toEqual(expect.any(Number));
    expect(textOf(result)).toContain('[1] Result 1 for Node 24 release (2025-01-01) — https://search.sim.local/node-24-release/1');
    expect(chatsTo('glm')).toHaveLength(0);
  });

  it('returns a provider error as a tool error', async () => {
    const result = await call('glm_web_search', { query: 'anything [[sim:error:1113]]' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('[quota_exhausted]');
    expectNoKeys(result);
  });
});

describe('glm_payload_preview', () => {
  it('returns the exact GLM request without sending it, and never the key', async () => {
    const args = {
      prompt: 'What is 2 + 2?',
      system_prompt: 'Answer briefly.',
      model: 'glm-4.6',
      temperature: 0.3,
      max_tokens: 512,
      thinking_mode: 'off',
      tools: [{ name: 'add', description: 'Adds two numbers', parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } } }],
      tool_choice: 'auto',
      stream: true,
    };
    const result = await call('glm_payload_preview', args);
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as Structured;
    expect(output.model).toBe('glm-4.6');
    expect(output.url).toBe(`${sim.glmBaseURL}/chat/completions`);
    expect(output.headers).toMatchObject({ Authorization: 'Bearer [redacted]', 'Content-Type': 'application/json', Accept: 'text/event-stream' });
    expect(output.body).toEqual({
      model: 'glm-4.6',
      messages: [
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: 'What is 2 + 2?' },
      ],
      stream: true,
      temperature: 0.3,
      max_tokens: 512,
      thinking: { type: 'disabled' },
      tools: [{ type: 'function', function: { name: 'add', description: 'Adds two numbers', parameters: args.tools[0]!.parameters } }],
      tool_choice: 'auto',
      tool_stream: true,
    });
    expect(output.routing.chain[0]).toBe('glm-4.6');
    expect(textOf(result)).toContain(`POST ${sim.glmBaseURL}/chat/completions  (glm-4.6; nothing was sent)`);
    expectNoKeys(result);
    expect(newRequests()).toHaveLength(0);
  });

  it('routes to a GLM model when none is named, with web search', async () => {
    const output = await ok('glm_payload_preview', { prompt: 'latest TypeScript news', use_websearch: true });
    expect(output.model).toMatch(/^glm-/);
    expect(output.body.tools).toEqual([expect.objectContaining({ type: 'web_search', web_search: expect.objectContaining({ enable: true }) })]);
    expect(newRequests()).toHaveLength(0);
  });

  it('refuses a Kimi model', async () => {
    const result = await call('glm_payload_preview', { prompt: 'hi', model: 'kimi-k2-0905-preview' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('kimi-k2-0905-preview is a kimi model');
  });
});

describe('kimi_chat_with_tools', () => {
  const weather = { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

  it('returns the function calls to run, then answers from the tool results', async () => {
    const first = await call('kimi_chat_with_tools', { messages: 'Weather in Paris?', tools: [weather] });
    expect(first.isError).toBeFalsy();
    const output = first.structuredContent as Structured;
    expect(output.finish_reason).toBe('tool_calls');
    expect(output.tool_calls).toEqual([{ id: 'functions.get_weather:0', name: 'get_weather', arguments: '{"city":"sample"}', type: 'function' }]);
    expectCallMetadata(output.metadata, { provider: 'kimi', model: 'kimi-k2-0905-preview' });
    expect(lastChat('kimi').tools).toEqual([{ type: 'function', function: expect.objectContaining({ name: 'get_weather', parameters: weather.parameters }) }]);
    expect(textOf(first)).toContain('→ get_weather({"city":"sample"}) [id functions.get_weather:0]');

    const answer = await ok('kimi_chat_with_tools', {
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', tool_calls: output.tool_calls },
        { role: 'tool', tool_call_id: 'functions.get_weather:0', content: '18°C, sunny' },
      ],
      tools: [weather],
    });
    expect(answer.finish_reason).toBe('stop');
    expect(answer.tool_calls).toEqual([]);
    expect(answer.content).toContain('Tool result: 18°C, sunny');
    const sent = lastChat('kimi').messages.at(-1);
    expect(sent).toMatchObject({ role: 'tool', tool_call_id: 'functions.get_weather:0', content: '18°C, sunny' });
  });

  it("runs Kimi's $web_search builtin to the final answer", async () => {
    const result = await call('kimi_chat_with_tools', { messages: 'news about Node 24', use_websearch: true });
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as Structured;
    expect(output.finish_reason).toBe('stop');
    // The builtin is Kimi's to run: it is never handed to the caller.
    expect(output.tool_calls).toEqual([]);
    expect(output.metadata.web_search_calls).toBe(1);
    expectCallMetadata(output.metadata, { provider: 'kimi' });
    const chats = chatsTo('kimi');
    expect(chats).toHaveLength(2);
    expect((chats[0]!.body as Structured).tools).toEqual([{ type: 'builtin_function', function: { name: '$web_search' } }]);
    const echo = (chats[1]!.body as Structured).messages.at(-1);
    expect(echo).toMatchObject({ role: 'tool', name: '$web_search' });
    expect(textOf(result)).toContain('(1 web search)');
  });

  it('names a tool message without tool_call_id', async () => {
    const result = await call('kimi_chat_with_tools', { messages: [{ role: 'user', content: 'hi' }, { role: 'tool', content: 'orphan' }] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('messages[1] is a tool message without tool_call_id');
    expect(chatsTo('kimi')).toHaveLength(0);
  });
});

describe('kimi_intent_analysis', () => {
  it('returns routing hints from a fast JSON-mode Kimi call, the rules deciding when the answer is not JSON', async () => {
    const result = await call('kimi_intent_analysis', { prompt: 'Search the web for the latest Node.js release notes and explain why the change matters' });
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as Structured;
    // The simulator's answer is not JSON: the rules classify, and the call is still reported.
    expect(output.classified_by).toBe('rules');
    expect(output.hints).toMatchObject({ needs_web: true, needs_thinking: true, needs_files: false, category: expect.stringMatching(/^(fast|balanced|deep)$/), complexity: expect.stringMatching(/^(low|medium|high)$/) });
    expect(output.hints.suggested_model).toEqual(expect.any(String));
    const models = (await ok('listmodels', {})).providers.flatMap((group: Structured) => group.models.filter((model: Structured) => model.available).map((model: Structured) => model.id));
    expect(models).toContain(output.hints.suggested_model);
    expect(output.reasons).toEqual(expect.arrayContaining([expect.stringContaining('answered without valid JSON; the rules decided'), 'mentions current information or a URL']));
    expectCallMetadata(output.metadata, { provider: 'kimi', model: 'kimi-k2-turbo-preview' });
    const body = lastChat('kimi');
    expect(body.model).toBe('kimi-k2-turbo-preview');
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.messages[0].role).toBe('system');
  });
});

describe('simple tools', () => {
  it('status: providers, keys, breakers, in-flight calls and storage', async () => {
    const result = await call('status', {});
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as Structured;
    expect(output.configured_providers.sort()).toEqual(['glm', 'kimi']);
    expect(output.keys.map((key: Structured) => key.label).sort()).toEqual([expect.stringMatching(/^glm/), expect.stringMatching(/^kimi/)]);
    for (const key of output.keys) expect(key).toMatchObject({ state: 'closed', in_flight: 0 });
    expect(output.model_breakers).toEqual(expect.any(Array));
    expect(output.bulkheads.length).toBeGreaterThan(0);
    for (const bulkhead of output.bulkheads) expect(bulkhead).toMatchObject({ in_flight: expect.any(Number), queued: 0, limit: expect.any(Number) });
    expect(output.storage).toMatchObject({ kind: 'memory', state: 'up', journal_backlog: 0 });
    expect(textOf(result)).toContain('Storage: memory, up, journal backlog 0');
    expectNoKeys(result);
  });

  it('activity: recent calls, filtered by tool and by status', async () => {
    await ok('glm_web_search', { query: 'activity probe' });
    await call('smart_file_download', { file_id: 'activity-missing', destination: join(dir, 'x') });
    const byTool = await ok('activity', { tool: 'glm_web_search', limit: 5 });
    expect(byTool.calls.length).toBeGreaterThan(0);
    for (const entry of byTool.calls) expect(entry.tool).toBe('glm_web_search');
    expect(byTool.calls[0]).toMatchObject({ tool: 'glm_web_search', status: 'success', duration_ms: expect.any(Number) });

    const errors = await ok('activity', { status: 'error' });
    for (const entry of errors.calls) expect(entry.status).toBe('error');
    expect(errors.calls[0]).toMatchObject({ tool: 'smart_file_download', error: expect.stringContaining('No stored file has id activity-missing') });

    const all = await call('activity', {});
    const output = all.structuredContent as Structured;
    expect(output.calls.map((entry: Structured) => entry.tool)).toEqual(expect.arrayContaining(['glm_web_search', 'smart_file_download']));
    // Model usage of earlier tests' model calls (and the billed search).
    expect(output.usage.calls).toBeGreaterThan(0);
    expect(output.usage.cost_usd).toBeGreaterThan(0);
    expect(textOf(all)).toContain('| started | tool | status |');
    expectNoKeys(all);
  });

  it('provider_capabilities: providers, base URLs, features and tools, never a key', async () => {
    const result = await call('provider_capabilities', {});
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as Structured;
    const glm = output.providers.find((entry: Structured) => entry.provider === 'glm');
    const kimi = output.providers.find((entry: Structured) => entry.provider === 'kimi');
    expect(glm).toMatchObject({ configured: true, base_url: sim.glmBaseURL, keys: 1 });
    expect(kimi).toMatchObject({ configured: true, base_url: sim.kimiBaseURL, keys: 1 });
    expect(glm.features).toContain('web search standalone: /web_search');
    expect(kimi.features).toContain('file extraction: /files, /files/{id}/content');
    expect(glm.available_models).toContain('glm-4.6');
    expect(kimi.available_models).toContain('kimi-k2-0905-preview');
    expect(output.tools).toEqual(expect.arrayContaining(['kimi_manage_files', 'kimi_chat_with_tools', 'kimi_intent_analysis', 'glm_payload_preview']));
    expectNoKeys(result);
    expect(newRequests()).toHaveLength(0);
  });

  it('listmodels: both providers configured, models with prices and capabilities', async () => {
    const result = await call('listmodels', {});
    const output = result.structuredContent as Structured;
    for (const provider of ['glm', 'kimi']) {
      const group = output.providers.find((entry: Structured) => entry.provider === provider);
      expect(group.configured).toBe(true);
      expect(group.models.length).toBeGreaterThan(0);
    }
    const kimi = output.providers.find((entry: Structured) => entry.provider === 'kimi').models.find((model: Structured) => model.id === 'kimi-k2-0905-preview');
    expect(kimi).toMatchObject({ available: true, context_window: 262_144 });
    expect(kimi.capabilities).toEqual(expect.arrayContaining(['tools', 'web-search', 'files']));
    expect(kimi.usd_per_million.input).toBeGreaterThan(0);
    expectNoKeys(result);
  });

  it('challenge: hands the statement back to reassess, without a model call', async () => {
    const output = await ok('challenge', { prompt: '  Tabs are always better than spaces.  ' });
    expect(output.status).toBe('challenge_accepted');
    expect(output.original_statement).toBe('Tabs are always better than spaces.');
    expect(output.challenge_prompt).toContain('CRITICAL REASSESSMENT');
    expect(output.challenge_prompt).toContain('"Tabs are always better than spaces."');
    expect(newRequests()).toHaveLength(0);
    const empty = await call('challenge', { prompt: '   ' });
    expect(empty.isError).toBe(true);
    expect(textOf(empty)).toContain('prompt');
  });

  it('version: name, version, transport, providers and the full profile of tools', async () => {
    const result = await call('version', {});
    const output = result.structuredContent as Structured;
    expect(output).toMatchObject({ name: 'exai', transport: 'stdio', node: process.versions.node });
    expect(output.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(output.providers).toEqual(
      expect.arrayContaining([
        { provider: 'glm', configured: true, base_url: sim.glmBaseURL },
        { provider: 'kimi', configured: true, base_url: sim.kimiBaseURL },
      ]),
    );
    expect(output.tools).toEqual(
      expect.arrayContaining([
        'glm_web_search',
        'glm_payload_preview',
        'kimi_upload_files',
        'kimi_chat_with_files',
        'kimi_manage_files',
        'kimi_chat_with_tools',
        'kimi_intent_analysis',
        'smart_file_query',
        'smart_file_download',
        'challenge',
        'status',
        'activity',
        'threads',
        'provider_capabilities',
        'listmodels',
        'version',
      ]),
    );
    const { tools } = await session.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...output.tools].sort());
    expectNoKeys(result);
  });

  it('threads: lists and shows the thread a file question started', async () => {
    const notes = fixture('thread-notes.md', 'Deploys happen on Tuesdays.\n');
    const asked = await ok('kimi_chat_with_files', { prompt: 'When are deploys?', files: [notes.path] });
    const listed = await ok('threads', { action: 'list' });
    expect(listed.threads).toEqual(expect.arrayContaining([expect.objectContaining({ continuation_id: asked.continuation_id, tool: 'kimi_chat_with_files', expired: false })]));
    const shown = await ok('threads', { action: 'show', continuation_id: asked.continuation_id });
    expect(shown.turns.map((turn: Structured) => turn.role)).toEqual(['user', 'assistant']);
    expect(shown.turns[0].text).toContain('When are deploys?');
    expect(shown.turns[1].model).toBe('kimi-k2-0905-preview');
  });
});

describe('logs', () => {
  it('never carry a key, even at debug level', () => {
    // Every call above logged to stderr (LOG_LEVEL=debug), errors with provider bodies included.
    const logs = session.stderr();
    expect(logs).toContain('exai-stdio ready');
    expect(logs).not.toContain(GLM_KEY);
    expect(logs).not.toContain(KIMI_KEY);
  });
});

describe('call metadata and cancellation', () => {
  const weather = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

  it.each([
    ['kimi_chat_with_files', () => ({ prompt: 'Summarise', files: [fixture('meta.md').path] }), 'kimi'],
    ['smart_file_query', () => ({ file_path: fixture('meta-query.md').path, question: 'Summarise', provider: 'glm' }), 'glm'],
    ['kimi_chat_with_tools', () => ({ messages: 'Weather in Rome?', tools: [weather] }), 'kimi'],
    ['kimi_intent_analysis', () => ({ prompt: 'Rename a variable' }), 'kimi'],
  ] as const)('%s reports model, provider, tokens, cost and duration', async (tool, args, provider) => {
    const result = await call(tool, args());
    expect(result.isError).toBeFalsy();
    const metadata = (result.structuredContent as Structured).metadata as Structured;
    expectCallMetadata(metadata, { provider });
    expect(lastChat(provider).model).toBe(metadata.model);
    // The text footer says the same.
    expect(textOf(result)).toContain(`— ${metadata.model} (${provider}`);
    expect(textOf(result)).toMatch(/\d+ in \/ \d+ out tokens · \$\d+\.\d{6} · \d+ ms/);
    const recorded = await ok('activity', { tool, limit: 1 });
    expect(recorded.calls[0]).toMatchObject({ status: 'success', model: `${provider}/${metadata.model}` });
  });

  it('cancelling a kimi_chat_with_files call aborts the upstream chat request', async () => {
    const file = fixture('slow.md');
    const { controller, outcome } = cancellable('kimi_chat_with_files', { prompt: 'Take your time [[sim:latency:30000]]', files: [file.path] });
    await sim.waitFor((entry) => entry.path === '/v1/chat/completions');
    // In flight, as status sees it.
    const busy = await ok('status', {});
    expect(busy.keys.find((key: Structured) => key.label.startsWith('kimi')).in_flight).toBe(1);
    controller.abort();
    expect(await outcome).toBeInstanceOf(Error);
    const aborted = await sim.waitFor((entry) => entry.aborted);
    expect(aborted).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    const recorded = await activityEventually({ tool: 'kimi_chat_with_files', status: 'cancelled' });
    expect(recorded.calls.length).toBeGreaterThan(0);
    const idle = await ok('status', {});
    expect(idle.keys.find((key: Structured) => key.label.startsWith('kimi')).in_flight).toBe(0);
  });

  it('cancelling smart_file_query while the provider is slow aborts the upload', async () => {
    sim.setLatency(30_000);
    const file = fixture('slow-upload.md');
    const { controller, outcome } = cancellable('smart_file_query', { file_path: file.path, question: 'Anything?', provider: 'kimi' });
    // Kimi's upload starts by reading the account's file list (its limits), then posts the file.
    const first = await sim.waitFor((entry) => entry.path === '/v1/files');
    controller.abort();
    expect(await outcome).toBeInstanceOf(Error);
    const aborted = await sim.waitFor((entry) => entry.aborted);
    expect(aborted).toMatchObject({ id: first.id, path: '/v1/files' });
    sim.setLatency(0);
    const recorded = await activityEventually({ tool: 'smart_file_query', status: 'cancelled' });
    expect(recorded.calls.length).toBeGreaterThan(0);
    expect(uploadsTo('kimi')).toHaveLength(0);
    expect(chatsTo('kimi')).toHaveLength(0);
  });
});

describe('when providers fail', () => {
  // Its own process: a quota error takes the Kimi key out of rotation, and failing calls open the
  // breakers, for the rest of the process.
  let own: StdioSession;
  beforeAll(async () => {
    own = await startStdio(env());
  });
  afterAll(async () => own?.close());

  it('smart_file_query still answers when Kimi is out of balance, through GLM, and says which provider did', async () => {
    sim.setKimiBalance(0);
    const doc = fixture('budget.md', 'Q3 budget: 120k.\n');
    const result = await call('smart_file_query', { file_path: doc.path, question: 'What is the Q3 budget?', provider: 'kimi' }, own);
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as Structured;
    // Kimi still reads the file (uploads do not spend the balance); GLM answers.
    expect(output.file).toMatchObject({ provider: 'kimi', upload: 'uploaded' });
    expectCallMetadata(output.metadata, { provider: 'glm' });
    expect(output.metadata.routing.attempts[0]).toMatchObject({ provider: 'kimi', code: 'quota_exhausted' });
    expect(output.content).toContain(`Read file budget.md (${doc.content.length} chars).`);
    expect(textOf(result)).toContain(`— ${output.metadata.model} (glm`);
    expect(chatsTo('kimi')).toHaveLength(1);
    expect(chatsTo('glm')).toHaveLength(1);
  });

  it('kimi_intent_analysis falls back to the rules when no model can classify', async () => {
    // Every model fails (the marker reaches whichever provider the router falls back to).
    const result = await call('kimi_intent_analysis', { prompt: 'Review this design doc [[sim:status:500]]' }, own);
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as Structured;
    expect(output.classified_by).toBe('rules');
    expect(output.reasons[0]).toContain('the classifying call failed');
    expect(output.reasons).toContain('asks for reasoning (why, debug, design, review, …)');
    expect(output.hints).toMatchObject({ needs_thinking: true, suggested_model: expect.any(String) });
    expect(output.metadata).toBeUndefined();
    const chats = [...chatsTo('kimi'), ...chatsTo('glm')];
    expect(chats.length).toBeGreaterThan(0);
    for (const chat of chats) expect(chat.status).toBe(500);
    expectNoKeys(result);
  });
});

describe('with PGlite storage', () => {
  it('keeps upload dedup and stored files across a restart', async () => {
    const { cwd, env: pgEnv } = pglite;
    const doc = fixture('persisted.md', 'Kept across restarts.\n');
    // Started with the main session, so PGlite opened (and migrated) while the other tests ran.
    const first = await pglite.first;
    let uploaded: Structured;
    try {
      uploaded = await ok('kimi_upload_files', { files: [doc.path] }, first);
      expect(uploaded.files[0].status).toBe('uploaded');
      expect((await ok('status', {}, first)).storage).toMatchObject({ kind: 'pglite', state: 'up', journal_backlog: 0 });
    } finally {
      await first.close();
    }
    expect(uploadsTo('kimi')).toHaveLength(1);

    const second = await startStdio(pgEnv, { cwd });
    try {
      const again = await ok('kimi_upload_files', { files: [doc.path] }, second);
      expect(again.files[0]).toMatchObject({ status: 'reused', file_id: uploaded.files[0].file_id, stored_file_id: uploaded.files[0].stored_file_id });
      expect(uploadsTo('kimi')).toHaveLength(1);
      const target = join(cwd, 'restored.md');
      const saved = await ok('smart_file_download', { file_id: uploaded.files[0].stored_file_id, destination: target }, second);
      expect(saved).toMatchObject({ path: target, verified: true, sha256: sha256(doc.content) });
      expect(readFileSync(target, 'utf8')).toBe(doc.content);
      const recorded = await ok('activity', { tool: 'kimi_upload_files' }, second);
      expect(recorded.calls.map((entry: Structured) => entry.status)).toEqual(['success', 'success']);
    } finally {
      await second.close();
    }
  }, 45_000);
});
