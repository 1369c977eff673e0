import { describe, expect, it } from '@jest/globals';
import { ConversationMemory, replayTurns, type ConversationTurn } from './conversation-memory.js';

const turn = (role: 'user' | 'assistant', content: string): ConversationTurn => ({ role, content, tool: 'chat', at: 0 });

describe('ConversationMemory', () => {
  it('stores turns per thread and expires threads after the TTL', async () => {
    let now = 0;
    const memory = new ConversationMemory({ ttlMs: 1000, now: () => now });
    const id = await memory.create();
    await memory.append(id, turn('user', 'hi'), turn('assistant', 'hello'));
    expect((await memory.load(id))?.map((entry) => entry.content)).toEqual(['hi', 'hello']);
    now = 999;
    expect(await memory.load(id)).toBeDefined();
    now = 2000;
    expect(await memory.load(id)).toBeUndefined();
  });

  it('starts a thread with its first turns, refusing more than maxTurns', async () => {
    const memory = new ConversationMemory({ maxTurns: 2 });
    const id = await memory.create('chat', turn('user', 'hi'), turn('assistant', 'hello'));
    expect((await memory.load(id))?.map((entry) => entry.content)).toEqual(['hi', 'hello']);
    await expect(memory.create('chat', turn('user', '1'), turn('assistant', '2'), turn('user', '3'))).rejects.toThrow('limit of 2 turns');
  });

  it('refuses turns past maxTurns and evicts the least recently used thread', async () => {
    const memory = new ConversationMemory({ maxTurns: 2, maxThreads: 2 });
    const first = await memory.create('thinkdeep');
    await memory.append(first, turn('user', '1'), turn('assistant', '2'));
    await expect(memory.append(first, turn('user', '3'))).rejects.toThrow('MAX_CONVERSATION_TURNS');
    expect((await memory.load(first))?.map((entry) => entry.content)).toEqual(['1', '2']);
    expect(memory.toolOf(first)).toBe('thinkdeep');
    const second = await memory.create();
    await memory.load(first);
    await memory.append(first, ...[]);
    const third = await memory.create();
    expect(await memory.load(second)).toBeUndefined();
    expect(await memory.load(first)).toBeDefined();
    expect(await memory.load(third)).toBeDefined();
  });

  it('defaults to 24 hours and 50 turns, and restarts the TTL at every turn', async () => {
    let now = 0;
    const memory = new ConversationMemory({ now: () => now });
    expect(memory.maxTurns).toBe(50);
    expect(memory.retention).toBe('for 24 hours after the last turn, in this server process');
    const id = await memory.create();
    now = 20 * 3_600_000;
    await memory.append(id, turn('user', 'still here'));
    now = 40 * 3_600_000;
    expect(await memory.load(id)).toHaveLength(1);
    now = 45 * 3_600_000;
    expect(await memory.load(id)).toBeUndefined();
  });

  it('keeps threads apart', async () => {
    const memory = new ConversationMemory();
    const a = await memory.create();
    const b = await memory.create();
    await memory.append(a, turn('user', 'a'));
    expect(await memory.load(b)).toEqual([]);
  });
});

describe('replayTurns', () => {
  it('keeps the newest turns within the budget, in chronological order, never starting with an orphan answer', () => {
    const turns = [turn('user', 'aaaa'), turn('assistant', 'bbbb'), turn('user', 'cccc'), turn('assistant', 'dddd')];
    expect(replayTurns(turns, 100).map((message) => message.content)).toEqual(['aaaa', 'bbbb', 'cccc', 'dddd']);
    expect(replayTurns(turns, 8).map((message) => message.content)).toEqual(['cccc', 'dddd']);
    expect(replayTurns(turns, 12).map((message) => message.content)).toEqual(['cccc', 'dddd']);
    expect(replayTurns(turns, 3)).toEqual([]);
  });
});
