import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createStorage, type Storage } from '@exai/storage';
import { ToolInputError } from '../tool-input-error.js';
import { ConversationMemory } from './conversation-memory.js';
import { StorageConversationStore } from './storage-conversation-store.js';
import { loadContinuation, recordExchange } from './thread-turns.js';

let storage: Storage;
beforeEach(async () => {
  storage = await createStorage({ config: { kind: 'memory' } });
});
afterEach(async () => storage.close());

const exchange = { userText: 'Is this safe?', answer: 'Mostly.', model: 'glm-4.6', provider: 'glm' };

describe('recordExchange and loadContinuation', () => {
  it('starts a thread for the first tool and continues it from another tool and model', async () => {
    const user = storage.forUser(randomUUID());
    const deps = { conversations: new StorageConversationStore(user), now: () => new Date('2026-03-01T10:00:00Z') };
    expect(await loadContinuation(deps, undefined)).toBeUndefined();
    const id = await recordExchange(deps, { ...exchange, tool: 'thinkdeep', files: ['/w/a.ts'], images: ['data:image/png;base64,iVBORw=='] });
    const turns = await loadContinuation(deps, id);
    const again = await recordExchange(deps, { continuationId: id, tool: 'chat', userText: 'And now?', answer: 'Safe.', model: 'kimi-k2-0905-preview', provider: 'kimi' });
    expect(again).toBe(id);
    expect(turns).toEqual([
      { role: 'user', content: 'Is this safe?', tool: 'thinkdeep', files: ['/w/a.ts'], images: ['data:image/png;base64,… (4 bytes inline)'], at: Date.parse('2026-03-01T10:00:00Z') },
      { role: 'assistant', content: 'Mostly.', tool: 'thinkdeep', model: 'glm-4.6', provider: 'glm', at: Date.parse('2026-03-01T10:00:00Z') },
    ]);
    // Through a fresh store over the same storage, as another process would see it.
    const later = await loadContinuation({ conversations: new StorageConversationStore(user) }, id);
    expect(later?.map((turn) => [turn.tool, turn.model ?? '-'])).toEqual([
      ['thinkdeep', '-'],
      ['thinkdeep', 'glm-4.6'],
      ['chat', '-'],
      ['chat', 'kimi-k2-0905-preview'],
    ]);
    expect((await user.conversations.get(id))?.tool).toBe('thinkdeep');
  });

  it('names CONVERSATION_TIMEOUT_HOURS for an unknown or expired thread', async () => {
    let now = Date.now();
    const conversations = new StorageConversationStore(storage.forUser(randomUUID()), { ttlMs: 2 * 3_600_000, now: () => now });
    const id = await recordExchange({ conversations }, { ...exchange, tool: 'chat' });
    now += 3 * 3_600_000;
    for (const continuationId of [id, 'no-such-thread']) {
      const error = await loadContinuation({ conversations }, continuationId).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ToolInputError);
      expect((error as ToolInputError).field).toBe('continuation_id');
      expect((error as Error).message).toContain(`continuation_id ${continuationId} was not found or has expired`);
      expect((error as Error).message).toContain('for 2 hours after the last turn');
      expect((error as Error).message).toContain('CONVERSATION_TIMEOUT_HOURS');
    }
  });

  it('refuses to continue a thread without room for another exchange, naming MAX_CONVERSATION_TURNS', async () => {
    for (const conversations of [new StorageConversationStore(storage.forUser(randomUUID()), { maxTurns: 5 }), new ConversationMemory({ maxTurns: 5 })]) {
      const id = await recordExchange({ conversations }, { ...exchange, tool: 'chat' });
      await recordExchange({ conversations }, { ...exchange, tool: 'chat', continuationId: id });
      // 4 of 5 turns used: one more exchange (2 turns) would pass the limit.
      const error = await loadContinuation({ conversations }, id).catch((caught: unknown) => caught);
      expect((error as Error).message).toContain('reached the limit of 5 turns (2 exchanges; MAX_CONVERSATION_TURNS)');
      expect((error as Error).message).toContain('Start a new thread');
      await expect(recordExchange({ conversations }, { ...exchange, tool: 'chat', continuationId: id })).rejects.toThrow('MAX_CONVERSATION_TURNS');
    }
  });

  it('counts one exchange in the singular at the smallest limit (MAX_CONVERSATION_TURNS=2)', async () => {
    const conversations = new ConversationMemory({ maxTurns: 2 });
    const id = await recordExchange({ conversations }, { ...exchange, tool: 'chat' });
    const error = await loadContinuation({ conversations }, id).catch((caught: unknown) => caught);
    expect((error as Error).message).toContain('reached the limit of 2 turns (1 exchange; MAX_CONVERSATION_TURNS)');
  });
});
