import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { StorageConversationStore } from '../conversation/storage-conversation-store.js';
import { connectClient, fakeServerOptions, textOf } from '../test-support/tool-harness.js';
import type { ThreadsOutput } from './threads-tool.js';

/** A server whose chat threads live in storage, with one thread of two exchanges. */
async function serverWithThread() {
  const base = fakeServerOptions();
  const options = { ...base, conversations: new StorageConversationStore(base.storage) };
  const connection = await connectClient(options);
  const first = (await connection.call('chat', { prompt: 'first question' })).structuredContent as { continuation_id: string };
  await connection.call('chat', { prompt: `second ${'x'.repeat(1_200)}`, continuation_id: first.continuation_id });
  return { ...connection, options, id: first.continuation_id };
}

/** Another user's server over the same storage. */
function otherUser(options: Awaited<ReturnType<typeof serverWithThread>>['options']) {
  const storage = options.storageRoot.forUser(randomUUID());
  return connectClient({ ...options, storage, conversations: new StorageConversationStore(storage) });
}

describe('threads', () => {
  it("lists the caller's threads with their continuation ids", async () => {
    const { call, close, id, options } = await serverWithThread();
    const result = await call('threads');
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as ThreadsOutput;
    expect(output.action).toBe('list');
    expect(output.threads).toEqual([{ continuation_id: id, tool: 'chat', updated_at: expect.any(String), expires_at: expect.any(String), expired: false }]);
    expect(textOf(result)).toContain(`- ${id} chat — updated`);
    expect(textOf(result)).toContain(`Threads are kept ${options.conversations.retention}.`);
    expect(options.conversations.retention).toMatch(/in storage$/);
    await close();
  });

  it('shows the newest turns, trimmed', async () => {
    const { call, close, id } = await serverWithThread();
    const all = (await call('threads', { action: 'show', continuation_id: id })).structuredContent as ThreadsOutput;
    expect(all.turns?.map((turn) => turn.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(all.turns![1]).toMatchObject({ text: 'echo: first question', model: 'fake-model', clipped: false });
    expect(all.turns![2]?.clipped).toBe(true);
    expect(all.turns![2]?.text.length).toBe(1_000);
    expect(all.older_turns_omitted).toBe(false);
    const newest = await call('threads', { action: 'show', continuation_id: id, limit: 1 });
    expect(newest.structuredContent).toMatchObject({ action: 'show', threads: [{ continuation_id: id }], older_turns_omitted: true, turns: [{ role: 'assistant' }] });
    expect(textOf(newest)).toContain('(older turns omitted)');
    await close();
  });

  it('deletes a thread, audits it, and the continuation stops working', async () => {
    const { call, close, id, options } = await serverWithThread();
    const result = await call('threads', { action: 'delete', continuation_id: id });
    expect(result.structuredContent).toEqual({ action: 'delete', deleted: id });
    expect(textOf(result)).toContain(`Deleted thread ${id}`);
    expect(((await call('threads')).structuredContent as ThreadsOutput).threads).toEqual([]);
    const audit = await options.storage.audit.list({ action: 'threads.delete' });
    expect(audit).toMatchObject([{ action: 'threads.delete', outcome: 'success', resource: `conversation ${id}`, details: { tool: 'chat' } }]);
    const again = await call('threads', { action: 'delete', continuation_id: id });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toContain(`No thread ${id} among yours`);
    expect((await call('chat', { prompt: 'more', continuation_id: id })).isError).toBe(true);
    await close();
  });

  it("never shows or deletes another user's thread", async () => {
    const { call, close, id, options } = await serverWithThread();
    const other = await otherUser(options);
    expect(((await other.call('threads')).structuredContent as ThreadsOutput).threads).toEqual([]);
    const show = await other.call('threads', { action: 'show', continuation_id: id });
    expect(show.isError).toBe(true);
    expect(textOf(show)).toBe(`No thread ${id} among yours (it may have expired or been deleted); call threads without arguments to list yours [invalid_argument]`);
    expect((await other.call('threads', { action: 'delete', continuation_id: id })).isError).toBe(true);
    // Still there for its owner.
    expect(((await call('threads')).structuredContent as ThreadsOutput).threads).toHaveLength(1);
    expect(await options.storageRoot.service.audit.list({ action: 'threads.delete' })).toMatchObject([{ outcome: 'failure', resource: `conversation ${id}` }]);
    await Promise.all([close(), other.close()]);
  });

  it('refuses show and delete without a continuation id, and an unknown action', async () => {
    const { call, close } = await connectClient(fakeServerOptions());
    for (const action of ['show', 'delete']) {
      const result = await call('threads', { action, continuation_id: ' ' });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toBe(`threads ${action} needs continuation_id; call threads without arguments to list yours [invalid_argument]`);
    }
    const unknown = await call('threads', { action: 'purge' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/Input validation error.*action/s);
    await close();
  });

  it('says when new threads live only in the server process', async () => {
    const options = fakeServerOptions();
    const { call, close } = await connectClient(options);
    expect(options.conversations.retention).toMatch(/in this server process$/);
    expect(textOf(await call('threads'))).toBe(`You have no stored threads. This server keeps new threads ${options.conversations.retention}; only stored threads are listed.`);
    await close();
  });

  it('is annotated as destructive (delete), in the lean profile', async () => {
    const { client, close } = await connectClient(fakeServerOptions({ tools: { profile: 'lean' } }));
    const tool = (await client.listTools()).tools.find((candidate) => candidate.name === 'threads');
    expect(tool?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, openWorldHint: false });
    await close();
  });
});
