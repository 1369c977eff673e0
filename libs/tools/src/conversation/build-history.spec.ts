import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createFileAccessPolicy } from '../files/file-access.js';
import { allocateContextBudget, buildHistory, historyFiles } from './build-history.js';
import type { ConversationTurn } from './conversation-memory.js';
import { estimateMessagesTokens } from './estimate-tokens.js';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'exai-history-')));
const policy = createFileAccessPolicy([dir]);
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const turn = (role: 'user' | 'assistant', content: string, extra: Partial<ConversationTurn> = {}): ConversationTurn => ({ role, content, tool: 'chat', at: 0, ...extra });
/** A small model: 10,000 tokens of context → 6,000 content, 1,800 files, 3,000 history. */
const small = { contextWindow: 10_000 };

describe('allocateContextBudget', () => {
  it('splits below 300K as 60/40 with files 30 and history 50 of the content', () => {
    expect(allocateContextBudget({ contextWindow: 200_000 })).toEqual({
      contextWindow: 200_000,
      contentTokens: 120_000,
      responseTokens: 80_000,
      fileTokens: 36_000,
      historyTokens: 60_000,
    });
  });

  it('splits from 300K as 80/20 with files 40 and history 40', () => {
    expect(allocateContextBudget({ contextWindow: 1_000_000 })).toEqual({
      contextWindow: 1_000_000,
      contentTokens: 800_000,
      responseTokens: 200_000,
      fileTokens: 320_000,
      historyTokens: 320_000,
    });
    expect(allocateContextBudget({ contextWindow: 300_000 }).contentTokens).toBe(240_000);
  });
});

describe('buildHistory', () => {
  it('replays every turn in order without a note when they fit', async () => {
    const turns = [turn('user', 'My name is Ada.'), turn('assistant', 'Hello Ada.'), turn('user', 'And yours?'), turn('assistant', 'GLM.')];
    const history = await buildHistory({ turns, model: small, policy });
    expect(history.messages).toEqual([
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Hello Ada.' },
      { role: 'user', content: 'And yours?' },
      { role: 'assistant', content: 'GLM.' },
    ]);
    expect([history.shownTurns, history.totalTurns]).toEqual([4, 4]);
    expect(history.tokens).toBe(estimateMessagesTokens(history.messages));
  });

  it('keeps the newest turns within the history budget, oldest first, with "[showing N of M turns]"', async () => {
    // Each turn is about 1,004 tokens: three fit the 3,000-token history budget, but an answer cannot open the replay.
    const turns = Array.from({ length: 8 }, (_, index) => turn(index % 2 ? 'assistant' : 'user', `${index}`.repeat(4000)));
    const history = await buildHistory({ turns, model: small, policy });
    expect(history.shownTurns).toBe(2);
    expect(history.totalTurns).toBe(8);
    expect(history.messages[0]).toEqual({
      role: 'user',
      content: "[showing 2 of 8 turns] The 6 oldest turns of this conversation were left out to fit the model's context.",
    });
    expect(history.messages.slice(1).map((message) => (message.content as string)[0])).toEqual(['6', '7']);
    expect(history.messages.slice(1).map((message) => message.role)).toEqual(['user', 'assistant']);
  });

  it('gives the turns only what a large request leaves of the content share', async () => {
    const turns = Array.from({ length: 4 }, (_, index) => turn(index % 2 ? 'assistant' : 'user', `${index}`.repeat(4000)));
    // 6,000 content tokens − 3,900 for the request leave 2,100: two turns, not the three the history share allows.
    const history = await buildHistory({ turns, model: small, policy, requestTokens: 3_900 });
    expect(history.shownTurns).toBe(2);
    expect(history.messages[0]?.content).toContain('[showing 2 of 4 turns]');
    expect((await buildHistory({ turns, model: small, policy, requestTokens: 6_000 })).shownTurns).toBe(0);
  });

  it('shows more turns to a model with a larger context', async () => {
    const turns = Array.from({ length: 8 }, (_, index) => turn(index % 2 ? 'assistant' : 'user', `${index}`.repeat(4000)));
    const history = await buildHistory({ turns, model: { contextWindow: 25_000 }, policy });
    expect(history.shownTurns).toBe(6);
    expect(history.messages[0]?.content).toContain('[showing 6 of 8 turns]');
  });

  it('embeds the files of all turns once, newest reference first, at their current content', async () => {
    const a = file('a.ts', 'export const a = 1;\n');
    const b = file('b.ts', 'export const b = 2;\n');
    const turns = [
      turn('user', 'Look at a and b', { files: [a, b] }),
      turn('assistant', 'Seen.'),
      turn('user', 'Now only b', { files: [b] }),
      turn('assistant', 'b is fine.'),
    ];
    expect(historyFiles(turns)).toEqual([b, a]);
    writeFileSync(a, 'export const a = 42;\n');
    const history = await buildHistory({ turns, model: small, policy });
    const context = history.messages[0]?.content as string;
    expect(history.files).toEqual([b, a]);
    expect(context.split('--- BEGIN FILE: ').length - 1).toBe(2);
    expect(context.indexOf(`--- BEGIN FILE: ${b}`)).toBeLessThan(context.indexOf(`--- BEGIN FILE: ${a}`));
    expect(context).toContain('1│ export const a = 42;');
    // The turns mention their files; the content is in the context message only.
    expect(history.messages[1]?.content).toBe(`Look at a and b\n\n[files: ${a}, ${b}]`);
    expect(history.messages.filter((message) => (message.content as string).includes('export const b')).length).toBe(1);
  });

  it('never re-embeds a file the new request embeds, and shares the file budget with it', async () => {
    const a = file('shared.ts', 'shared\n');
    const b = file('old.ts', 'old\n');
    const turns = [turn('user', 'files', { files: [a, b] }), turn('assistant', 'ok')];
    const history = await buildHistory({ turns, model: small, policy, requestFiles: [a] });
    expect(history.files).toEqual([b]);
    expect(history.messages[0]?.content).not.toContain(`BEGIN FILE: ${a}`);
    const full = await buildHistory({ turns, model: small, policy, requestFiles: [a], requestFileChars: 7_200 });
    expect(full.files).toEqual([]);
    expect(full.skippedFiles[0]).toMatchObject({ path: b });
    expect(full.skippedFiles[0]?.reason).toContain('file budget');
  });

  it('keeps files within the file budget, dropping the oldest references first', async () => {
    // 1,800 tokens ≈ 7,200 characters of files.
    const older = file('older.txt', 'o'.repeat(4000));
    const newer = file('newer.txt', 'n'.repeat(4000));
    const turns = [turn('user', 'old', { files: [older] }), turn('assistant', 'ok'), turn('user', 'new', { files: [newer] }), turn('assistant', 'ok')];
    const history = await buildHistory({ turns, model: small, policy });
    expect(history.files).toEqual([newer]);
    expect(history.skippedFiles.map((skip) => skip.path)).toEqual([older]);
    expect(history.messages[0]?.content).toContain(`Files not embedded:\n- ${older}:`);
  });

  it('notes files that are gone or no longer allowed instead of failing', async () => {
    const gone = file('gone.ts', 'x');
    rmSync(gone);
    const elsewhere = realpathSync(mkdtempSync(join(tmpdir(), 'exai-history-out-')));
    const outside = join(elsewhere, 'o.ts');
    writeFileSync(outside, 'x');
    const turns = [turn('user', 'q', { files: [gone, outside] }), turn('assistant', 'a')];
    const history = await buildHistory({ turns, model: small, policy });
    expect(history.files).toEqual([]);
    expect(history.skippedFiles).toEqual([
      { path: gone, reason: 'no such file' },
      { path: outside, reason: expect.stringContaining('outside the allowed folders') },
    ]);
    expect(history.messages[0]?.content).toContain(`- ${gone}: no such file`);
  });

  it('mentions images of earlier turns without replaying them', async () => {
    const history = await buildHistory({ turns: [turn('user', 'see', { images: ['/x/shot.png'] }), turn('assistant', 'a cat')], model: small, policy });
    expect(history.messages[0]).toEqual({ role: 'user', content: 'see\n\n[1 image(s) attached: /x/shot.png]' });
  });
});
