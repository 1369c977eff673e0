import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulator, type Simulator } from '@exai/provider-sim';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startStdio, textOf } from './test-support/stdio-harness.js';

type Structured = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator();
});

afterAll(async () => {
  await sim?.close();
});

describe('exai-stdio storage', () => {
  it('keeps conversation threads in embedded PostgreSQL across restarts (the default storage)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'exai-stdio-storage-'));
    const dataDir = join(cwd, 'data');
    const env = { GLM_API_KEY: 'sim-glm-key', GLM_BASE_URL: sim.glmBaseURL, EXAI_STORAGE: 'pglite', EXAI_DATA_DIR: dataDir };

    const first = await startStdio(env, { cwd });
    let continuationId: string;
    try {
      const answer = (await first.client.callTool({ name: 'chat', arguments: { prompt: 'My name is Ada.', model: 'glm-4.5-flash' } }, undefined, { timeout: 90_000 })) as CallToolResult;
      expect(answer.isError).toBeFalsy();
      continuationId = (answer.structuredContent as Structured).continuation_id as string;
    } finally {
      await first.close();
    }
    expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(['pglite', 'journal']));

    sim.reset();
    const second = await startStdio(env, { cwd });
    try {
      const followUp = (await second.client.callTool(
        { name: 'chat', arguments: { prompt: 'What is my name?', model: 'glm-4.5-flash', continuation_id: continuationId } },
        undefined,
        { timeout: 90_000 },
      )) as CallToolResult;
      expect(followUp.isError).toBeFalsy();
      const request = sim.requests.find((entry) => entry.vendor === 'glm' && entry.path.endsWith('/chat/completions'));
      const messages = (request?.body as Structured).messages as Structured[];
      expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
      expect(messages[1]?.content).toBe('My name is Ada.');
    } finally {
      await second.close();
    }
    // Two embedded databases opened, migrated and closed: seconds alone, far more on a busy machine.
  }, 180_000);

  it('says why a thread is unknown, and where threads are kept', async () => {
    const session = await startStdio({ GLM_API_KEY: 'sim-glm-key', GLM_BASE_URL: sim.glmBaseURL });
    const result = (await session.client.callTool({ name: 'chat', arguments: { prompt: 'Hi', continuation_id: 'no-such-thread' } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('in storage');
    await session.close();
  });
});
