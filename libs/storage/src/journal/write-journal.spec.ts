import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageLogger } from './storage-logger.js';
import { openWriteJournal, type WriteJournal } from './write-journal.js';

type LogCall = { level: string; object: Record<string, unknown>; message: string };

function captureLogger(): StorageLogger & { calls: LogCall[] } {
  const calls: LogCall[] = [];
  const at = (level: string) => (object: Record<string, unknown>, message: string) => {
    calls.push({ level, object, message });
  };
  return { calls, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const entry = (index: number) => ({ scope: 'user-1', op: 'usage.append', args: [{ index, createdAt: new Date(Date.UTC(2026, 10, 20, 10, 0, index)) }] });
const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');

describe('write journal', () => {
  let dataDir: string;
  let journal: WriteJournal | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'exai-journal-'));
  });
  afterEach(async () => {
    await journal?.close();
    journal = undefined;
    rmSync(dataDir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  it('creates <dataDir>/journal/storage.jsonl and writes one JSON line per entry', async () => {
    journal = await openWriteJournal({ dataDir });
    expect(journal.file).toBe(join(dataDir, 'journal', 'storage.jsonl'));
    expect(existsSync(journal.file)).toBe(true);
    const first = await journal.append(entry(1));
    const second = await journal.append({ ...entry(2), context: { id: 'provisional' } });
    expect([first.seq, second.seq]).toEqual([1, 2]);
    const written = lines(journal.file).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(written).toHaveLength(2);
    expect(written[1]).toMatchObject({ seq: 2, scope: 'user-1', op: 'usage.append', context: { id: 'provisional' } });
    expect(journal.backlog).toBe(2);
  });

  it('syncs the file to disk before an append resolves', async () => {
    journal = await openWriteJournal({ dataDir });
    const probe = await open(join(dataDir, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const events: string[] = [];
    const original = prototype.datasync;
    jest.spyOn(prototype, 'datasync').mockImplementation(async function (this: unknown) {
      events.push('sync');
      return original.call(this);
    });
    await journal.append(entry(1)).then(() => events.push('resolved'));
    expect(events).toEqual(['sync', 'resolved']);
  });

  it('numbers concurrent appends in call order and syncs them together', async () => {
    journal = await openWriteJournal({ dataDir });
    const probe = await open(join(dataDir, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const sync = jest.spyOn(prototype, 'datasync');
    const appended = await Promise.all(Array.from({ length: 50 }, (_, index) => journal!.append(entry(index))));
    expect(appended.map((item) => item.seq)).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
    expect(lines(journal.file).map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual(appended.map((item) => item.seq));
    expect(sync.mock.calls.length).toBeLessThan(50);
    expect(journal.pending.map((item) => item.seq)).toEqual(appended.map((item) => item.seq));
  });

  it('reads entries back with their dates as Date objects', async () => {
    journal = await openWriteJournal({ dataDir });
    await journal.append(entry(7));
    await journal.close();
    journal = await openWriteJournal({ dataDir });
    const [read] = await journal.entries();
    const [args] = read!.args as [{ index: number; createdAt: Date }];
    expect(args.createdAt).toBeInstanceOf(Date);
    expect(args.createdAt.toISOString()).toBe('2026-11-20T10:00:07.000Z');
    expect(journal.pending).toHaveLength(1);
  });

  it('ignores and logs a torn last line, and cuts it off so the next append starts a clean line', async () => {
    journal = await openWriteJournal({ dataDir });
    await journal.append(entry(1));
    await journal.append(entry(2));
    await journal.close();
    const file = join(dataDir, 'journal', 'storage.jsonl');
    appendFileSync(file, '{"seq":3,"at":"2026-11-20T10:00:00.000Z","scope":"user-1","op":"usage.ap');

    const logger = captureLogger();
    journal = await openWriteJournal({ dataDir, logger });
    expect(journal.pending.map((item) => item.seq)).toEqual([1, 2]);
    expect(logger.calls.some((call) => call.level === 'warn' && call.message.includes('torn last line'))).toBe(true);
    const next = await journal.append(entry(3));
    expect(next.seq).toBe(3);
    expect(lines(file).map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual([1, 2, 3]);
  });

  it('tolerates a torn last line when reading entries', async () => {
    const logger = captureLogger();
    journal = await openWriteJournal({ dataDir, logger });
    await journal.append(entry(1));
    appendFileSync(journal.file, '{"seq":2,"at":');
    expect((await journal.entries()).map((item) => item.seq)).toEqual([1]);
    expect(logger.calls.some((call) => call.level === 'warn' && call.message.includes('torn last line'))).toBe(true);
  });

  it('keeps a last line cut just before its newline, which is complete', async () => {
    journal = await openWriteJournal({ dataDir });
    await journal.append(entry(1));
    await journal.close();
    const file = join(dataDir, 'journal', 'storage.jsonl');
    appendFileSync(file, JSON.stringify({ seq: 2, at: new Date().toISOString(), scope: 'user-1', op: 'usage.append', args: [{ index: 2 }] }));
    journal = await openWriteJournal({ dataDir });
    expect(journal.pending.map((item) => item.seq)).toEqual([1, 2]);
    await journal.append(entry(3));
    expect(lines(file)).toHaveLength(3);
  });

  it('skips and logs an unreadable line in the middle', async () => {
    journal = await openWriteJournal({ dataDir });
    await journal.append(entry(1));
    appendFileSync(journal.file, 'not json\n{"seq":"x"}\n');
    await journal.append(entry(2));
    await journal.close();
    const logger = captureLogger();
    journal = await openWriteJournal({ dataDir, logger });
    expect(journal.pending.map((item) => item.seq)).toEqual([1, 2]);
    expect(logger.calls.filter((call) => call.level === 'error')).toHaveLength(2);
  });

  it('acknowledges the oldest entries: they do not come back after a restart, and numbering continues', async () => {
    journal = await openWriteJournal({ dataDir });
    for (let index = 1; index <= 4; index++) await journal.append(entry(index));
    await journal.acknowledge(3);
    expect(journal.pending.map((item) => item.seq)).toEqual([4]);
    expect(lines(journal.file).at(-1)).toBe('{"ack":3}');
    await journal.close();
    journal = await openWriteJournal({ dataDir });
    expect(journal.pending.map((item) => item.seq)).toEqual([4]);
    expect((await journal.append(entry(5))).seq).toBe(5);
  });

  it('compacts atomically once everything is acknowledged: the file is empty and no temp file is left', async () => {
    journal = await openWriteJournal({ dataDir });
    for (let index = 1; index <= 3; index++) await journal.append(entry(index));
    await journal.acknowledge(3);
    expect(statSync(journal.file).size).toBe(0);
    expect(readdirSync(join(dataDir, 'journal'))).toEqual(['storage.jsonl']);
    await journal.append(entry(4));
    expect(lines(journal.file)).toHaveLength(1);
  });

  it('compacts after compactAfter acknowledgements, keeping only the pending entries', async () => {
    journal = await openWriteJournal({ dataDir, compactAfter: 2 });
    for (let index = 1; index <= 5; index++) await journal.append(entry(index));
    await journal.acknowledge(1);
    expect(lines(journal.file)).toHaveLength(6);
    await journal.acknowledge(1);
    expect(lines(journal.file).map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual([3, 4, 5]);
    await journal.compact();
    await journal.close();
    journal = await openWriteJournal({ dataDir });
    expect(journal.pending.map((item) => item.seq)).toEqual([3, 4, 5]);
    const [args] = journal.pending[0]!.args as [{ createdAt: Date }];
    expect(args.createdAt).toBeInstanceOf(Date);
  });

  it('keeps entries set aside in rejected.jsonl', async () => {
    journal = await openWriteJournal({ dataDir });
    const appended = await journal.append(entry(1));
    await journal.reject(appended, 'conversation c-1 was not found');
    const [rejected] = lines(join(dataDir, 'journal', 'rejected.jsonl')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rejected).toMatchObject({ seq: 1, op: 'usage.append', reason: 'conversation c-1 was not found' });
  });

  it('refuses appends once closed', async () => {
    const closed = await openWriteJournal({ dataDir });
    await closed.close();
    await expect(closed.append(entry(1))).rejects.toThrow(/closed/);
  });
});
