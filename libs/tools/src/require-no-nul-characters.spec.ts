import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createStorage, type Storage } from '@exai/storage';
import { StorageConversationStore } from './conversation/storage-conversation-store.js';
import { requireNoNulCharacters } from './require-no-nul-characters.js';
import { FakeRouter } from './test-support/fake-router.js';
import { connectClient, fakeServerOptions, textOf } from './test-support/tool-harness.js';
import { ToolInputError } from './tool-input-error.js';

describe('requireNoNulCharacters', () => {
  it('passes input without NUL through unchanged', () => {
    const input = { prompt: 'fine \\u0000 escaped is fine', files: ['/a', '/b'], nested: { deep: [1, true, null] } };
    expect(requireNoNulCharacters(input)).toBe(input);
  });

  it('names the first argument holding U+0000, with its value escaped', () => {
    const error = (() => {
      try {
        requireNoNulCharacters({ step: 'ok', relevant_files: ['/ok', '/root/a.txt\u0000/../../etc/passwd'] });
      } catch (caught) {
        return caught as ToolInputError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ToolInputError);
    expect(error?.field).toBe('relevant_files[1]');
    expect(error?.message).toContain('relevant_files[1] ("/root/a.txt\\u0000/../../etc/passwd") holds a NUL character');
  });
});

// Found by the hostile-input run (tools/fuzz) on PGlite: a NUL in a prompt failed the call with the
// database's "invalid byte sequence for encoding UTF8: 0x00", and the call went unrecorded.
describe('a NUL character in a tool argument, on PGlite storage', () => {
  let storage: Storage;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'exai-nul-'));
    storage = await createStorage({ config: { kind: 'pglite', dataDir } });
    // PGlite starts in seconds, more on a busy machine.
  }, 90_000);
  afterAll(async () => {
    await storage?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is refused as an invalid argument naming the field, recorded in activity, and the next call works', async () => {
    const user = storage.forUser('7f1c8a8e-8d0b-4c41-9d0e-3c9f0f1a2b3c');
    const { call, close } = await connectClient(
      fakeServerOptions({ router: new FakeRouter(), storage: user, conversations: new StorageConversationStore(user, { ttlMs: 3_600_000, maxTurns: 50 }), tools: { profile: 'lean' } }),
    );
    const refused = await call('chat', { prompt: "\u0000' OR 1=1 --" });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/^prompt \(.*\) holds a NUL character .* \[invalid_argument\]$/s);
    expect(textOf(refused)).not.toMatch(/byte sequence|escape sequence/);
    const fine = await call('chat', { prompt: 'hello' });
    expect(fine.isError).toBeFalsy();
    await close();
    const calls = await user.toolCalls.list({ limit: 10 });
    expect(calls.map((recorded) => [recorded.tool, recorded.status])).toEqual(expect.arrayContaining([['chat', 'error'], ['chat', 'success']]));
  });
});
