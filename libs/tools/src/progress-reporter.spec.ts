import { describe, expect, it } from '@jest/globals';
import { ProgressReporter, type ProgressParams } from './progress-reporter.js';

describe('ProgressReporter', () => {
  it('batches text, sends increasing progress, and loses nothing on close', async () => {
    const sent: ProgressParams[] = [];
    const reporter = new ProgressReporter(async (params) => void sent.push(params), 'token-1', 60_000);
    reporter.add('Hel');
    reporter.add('lo ');
    reporter.add('');
    reporter.add('world');
    await reporter.close();
    expect(sent.map((params) => params.message).join('')).toBe('Hello world');
    expect(sent.every((params) => params.progressToken === 'token-1')).toBe(true);
    for (let index = 1; index < sent.length; index++) expect(sent[index]!.progress).toBeGreaterThan(sent[index - 1]!.progress);
    expect(sent.at(-1)?.progress).toBe(11);
  });

  it('keeps going when a notification cannot be sent', async () => {
    const reporter = new ProgressReporter(async () => {
      throw new Error('client gone');
    }, 1, 0);
    reporter.add('a');
    reporter.add('b');
    await expect(reporter.close()).resolves.toBeUndefined();
  });
});
