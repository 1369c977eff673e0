import { describe, expect, it } from '@jest/globals';
import { ConversationMemory, replayTurns, type ConversationTurn } from './conversation-memory.js';

const turn = (role: 'user' | 'assistant', content: string): ConversationTurn => ({ role, content, tool: 'chat', at: 0 });

describe('ConversationMemory', () => {
  it('stores turns per thread and expires threads after the TTL', () => {
    let now = 0;
    const memory = new ConversationMemory({ ttlMs: 1000, now: () => now });
    const id = memory.create();
    memory.append(id, turn('user', 'hi'), turn('assistant', 'hello'));
    expect(memory.get(id)?.map((entry) => entry.content)).toEqual(['hi', 'hello']);
    now = 999;
    expect(memory.get(id)).toBeDefined();
    now = 2000;
    expect(memory.get(id)).toBeUndefined();
  });

  it('keeps the newest turns and evicts the least recently used thread', () => {
    const memory = new ConversationMemory({ maxTurns: 2, maxThreads: 2 });
    const first = memory.create();
    memory.append(first, turn('user', '1'), turn('assistant', '2'), turn('user', '3'));
    expect(memory.get(first)?.map((entry) => entry.content)).toEqual(['2', '3']);
    const second = memory.create();
    memory.append(first, turn('assistant', '4'));
    const third = memory.create();
    expect(memory.get(second)).toBeUndefined();
    expect(memory.get(first)).toBeDefined();
    expect(memory.get(third)).toBeDefined();
  });

  it('keeps threads apart', () => {
    const memory = new ConversationMemory();
    const a = memory.create();
    const b = memory.create();
    memory.append(a, turn('user', 'a'));
    expect(memory.get(b)).toEqual([]);
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
