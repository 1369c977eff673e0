import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { ChatMessage } from '@exai/router/spec';
import { ConversationMemory } from '../conversation/conversation-memory.js';
import { StorageConversationStore } from '../conversation/storage-conversation-store.js';
import { recordExchange } from '../conversation/thread-turns.js';
import { FakeRouter, fakeModel } from '../test-support/fake-router.js';
import { connectClient, fakeServerOptions, textOf } from '../test-support/tool-harness.js';

type Structured = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'exai-chat-')));
const write = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const textOfMessage = (message: ChatMessage): string =>
  typeof message.content === 'string' ? message.content : message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
/** How often `needle` appears in what the caller sent (answers are the fake router's echoes, so they are left out). */
const sentCount = (messages: readonly ChatMessage[], needle: string): number =>
  messages.filter((message) => message.role !== 'assistant').reduce((count, message) => count + textOfMessage(message).split(needle).length - 1, 0);

let router: FakeRouter;
let options: ReturnType<typeof fakeServerOptions>;
let session: Awaited<ReturnType<typeof connectClient>>;

beforeEach(async () => {
  router = new FakeRouter();
  options = fakeServerOptions({ router, limits: { allowedRoots: [dir] } });
  options.conversations = new StorageConversationStore(options.storage);
  session = await connectClient(options);
});
afterEach(async () => {
  await session.close();
  await options.storageRoot.close();
});

const chat = async (args: Record<string, unknown>) => {
  const result = await session.call('chat', args);
  return { result, output: result.structuredContent as Structured };
};
const lastMessages = (): ChatMessage[] => router.calls.at(-1)?.call.request.messages ?? [];

describe('chat with files and conversation memory', () => {
  it('embeds a file once when a continuation passes it again, and replays it once when it is not passed', async () => {
    const a = write('a.ts', 'export const alpha = "ALPHA-MARKER";\n');
    const b = write('b.ts', 'export const beta = "BETA-MARKER";\n');
    const first = await chat({ prompt: 'Review a', files: [a] });
    expect(first.output.status).toBe('ok');
    expect(sentCount(lastMessages(), 'ALPHA-MARKER')).toBe(1);

    const id = first.output.continuation_id as string;
    await chat({ prompt: 'Again with a and b', files: [a, b], continuation_id: id });
    let messages = lastMessages();
    expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[1]?.content).toBe(`Review a\n\n[files: ${a}]`);
    expect(sentCount(messages, 'ALPHA-MARKER')).toBe(1);
    expect(sentCount(messages, 'BETA-MARKER')).toBe(1);
    // Both are in the new turn, at their current content.
    expect(textOfMessage(messages.at(-1)!)).toContain('ALPHA-MARKER');

    await chat({ prompt: 'What did we see?', continuation_id: id });
    messages = lastMessages();
    expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(textOfMessage(messages[1]!)).toContain('Files referenced earlier in this conversation');
    expect(sentCount(messages, 'ALPHA-MARKER')).toBe(1);
    expect(sentCount(messages, 'BETA-MARKER')).toBe(1);
    expect(messages.at(-1)?.content).toBe('What did we see?');
    // The turns were stored without the file text, with the files' real paths.
    const turns = await options.conversations.load(id);
    expect(turns?.filter((turn) => turn.role === 'user').map((turn) => [turn.content, turn.files])).toEqual([
      ['Review a', [a]],
      ['Again with a and b', [a, b]],
      ['What did we see?', undefined],
    ]);
  });

  it('expands folders, skips binary files with a note and still answers', async () => {
    const folder = join(dir, 'pkg');
    mkdirSync(join(folder, 'node_modules'), { recursive: true });
    writeFileSync(join(folder, 'index.ts'), 'export {};\n');
    writeFileSync(join(folder, 'logo.bin'), Buffer.from([0, 1, 2]));
    writeFileSync(join(folder, 'node_modules', 'dep.js'), 'x');
    const { result } = await chat({ prompt: 'Review the package', files: [folder] });
    expect(result.isError).toBeFalsy();
    const sent = textOfMessage(lastMessages().at(-1)!);
    expect(sent).toContain(`--- BEGIN FILE: ${join(folder, 'index.ts')} (1 lines) ---`);
    expect(sent).toContain(`Files not embedded:\n- ${join(folder, 'logo.bin')}: binary file`);
    expect(sent).not.toContain('dep.js');
  });

  it('refuses files outside the allowed folders and secrets, without calling a model', async () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'exai-chat-out-')));
    writeFileSync(join(outside, 'x.ts'), 'x');
    const env = write('.env', 'KEY=1');
    const { result } = await chat({ prompt: 'Review', files: [join(outside, 'x.ts'), env, 'relative.ts'] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('x.ts: outside the allowed folders');
    expect(textOf(result)).toContain('.env holds environment secrets');
    expect(textOf(result)).toContain('relative.ts: not an absolute path');
    expect(router.calls).toHaveLength(0);
  });

  it('says "[showing N of M turns]" when the thread is longer than the model’s history budget', async () => {
    // fake-model: 8,192 tokens of context → 2,457 tokens of history.
    const id = await recordExchange(options, { tool: 'chat', userText: 'q1 '.repeat(3000), answer: 'a1 '.repeat(3000), model: 'fake-model', provider: 'fake' });
    await recordExchange(options, { continuationId: id, tool: 'chat', userText: 'q2', answer: 'a2', model: 'fake-model', provider: 'fake' });
    await chat({ prompt: 'q3', continuation_id: id });
    const messages = lastMessages();
    expect(messages[1]?.content).toContain('[showing 2 of 4 turns]');
    expect(messages.slice(2).map((message) => message.content)).toEqual(['q2', 'a2', 'q3']);
  });

  it('continues with the model that answered last unless the call names one or auto, and not with a model the router lost', async () => {
    const id = await recordExchange(options, { tool: 'chat', userText: 'q1', answer: 'a1', model: 'fake-vision', provider: 'fake' });
    await chat({ prompt: 'q2', continuation_id: id });
    expect(router.calls.at(-1)?.call.model).toBe('fake-vision');
    await chat({ prompt: 'q3', continuation_id: id, model: 'auto' });
    expect(router.calls.at(-1)?.call.model).toBe('auto');
    const gone = await recordExchange(options, { tool: 'chat', userText: 'q1', answer: 'a1', model: 'retired-model', provider: 'fake' });
    await chat({ prompt: 'q2', continuation_id: gone });
    expect(router.calls.at(-1)?.call.model).toBeUndefined();
  });

  it('continues a thread another tool started, with another model, and records its own turns', async () => {
    const id = await recordExchange(options, { tool: 'thinkdeep', userText: 'Deep question', answer: 'Deep answer', model: 'kimi-k2', provider: 'kimi' });
    const { output } = await chat({ prompt: 'Follow-up', continuation_id: id, model: 'fake-vision' });
    expect(output.continuation_id).toBe(id);
    expect(lastMessages().slice(1).map((message) => message.content)).toEqual(['Deep question', 'Deep answer', 'Follow-up']);
    const turns = await options.conversations.load(id);
    expect(turns?.map((turn) => `${turn.tool}/${turn.model ?? '-'}/${turn.provider ?? '-'}`)).toEqual([
      'thinkdeep/-/-',
      'thinkdeep/kimi-k2/kimi',
      'chat/-/-',
      'chat/fake-vision/fake',
    ]);
    expect((await options.storage.conversations.get(id))?.tool).toBe('thinkdeep');
  });

  it('names CONVERSATION_TIMEOUT_HOURS for an unknown thread and MAX_CONVERSATION_TURNS for a full one, before any model call', async () => {
    const unknown = await chat({ prompt: 'x', continuation_id: 'no-such-thread' });
    expect(unknown.result.isError).toBe(true);
    expect(textOf(unknown.result)).toContain('continuation_id no-such-thread was not found or has expired');
    expect(textOf(unknown.result)).toContain('CONVERSATION_TIMEOUT_HOURS');

    options.conversations = new StorageConversationStore(options.storage, { maxTurns: 4 });
    await session.close();
    session = await connectClient(options);
    const first = await chat({ prompt: 'one' });
    const id = first.output.continuation_id as string;
    await chat({ prompt: 'two', continuation_id: id });
    const calls = router.calls.length;
    const full = await chat({ prompt: 'three', continuation_id: id });
    expect(full.result.isError).toBe(true);
    expect(textOf(full.result)).toContain('limit of 4 turns (2 exchanges; MAX_CONVERSATION_TURNS)');
    expect(textOf(full.result)).toContain('without continuation_id');
    expect(router.calls).toHaveLength(calls);
  });

  it('sends images only to a vision model, naming the model and a vision model to use', async () => {
    const image = write('pixel.png', Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64'));
    const refused = await chat({ prompt: 'What is this?', model: 'fake-model', images: [image] });
    expect(refused.result.isError).toBe(true);
    expect(textOf(refused.result)).toContain('fake-model cannot read images; use a vision model such as fake-vision');
    expect(router.calls).toHaveLength(0);
    const seen = await chat({ prompt: 'What is this?', model: 'fake-vision', images: [image] });
    expect(seen.result.isError).toBeFalsy();
    const user = lastMessages().at(-1)!;
    expect(Array.isArray(user.content) && user.content.some((part) => part.type === 'image')).toBe(true);
    // "auto" in any spelling lets the router pick a model that reads images, rather than naming one.
    const auto = await chat({ prompt: 'What is this?', model: ' AUTO ', images: [image] });
    expect(auto.result.isError).toBeFalsy();
    expect(router.calls.at(-1)?.call.model).toBe(' AUTO ');
    const tooMany = await chat({ prompt: 'x', model: 'fake-vision', images: Array.from({ length: 6 }, () => image) });
    expect(tooMany.result.isError).toBe(true);
    expect(textOf(tooMany.result)).toContain('images');
  });

  it('fits the files of a request into the content share of the model, noting the rest for the model and the agent', async () => {
    // fake-model: 8,192 tokens → 4,915 tokens of content ≈ 19,660 characters.
    const big = write('big.txt', 'b'.repeat(12_000));
    const other = write('other.txt', 'o'.repeat(12_000));
    const { result, output } = await chat({ prompt: 'Compare', files: [big, other] });
    expect(result.isError).toBeFalsy();
    const sent = textOfMessage(lastMessages().at(-1)!);
    expect(sent).toContain(`--- BEGIN FILE: ${big}`);
    expect(sent).toContain(`- ${other}: 12000 bytes do not fit`);
    expect(output.metadata.warnings).toEqual([expect.stringContaining(`file not embedded: ${other}: 12000 bytes do not fit`)]);
    expect(textOf(result)).toContain(`Files the model did not see:\n- ${other}: 12000 bytes do not fit`);
  });

  it('keeps the in-process store working as before', async () => {
    const memoryOptions = fakeServerOptions({ router, conversations: new ConversationMemory(), limits: { allowedRoots: [dir] } });
    const client = await connectClient(memoryOptions);
    const first = (await client.call('chat', { prompt: 'first' })).structuredContent as Structured;
    await client.call('chat', { prompt: 'second', continuation_id: first.continuation_id });
    expect(lastMessages().map((message) => message.content)).toEqual([expect.any(String), 'first', 'echo: first', 'second']);
    expect(fakeModel('x').contextWindow).toBe(8192);
    await client.close();
    await memoryOptions.storageRoot.close();
  });
});
