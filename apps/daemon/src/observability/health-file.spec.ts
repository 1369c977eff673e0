import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulator, type Simulator } from '@exai/provider-sim';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { startTestDaemon } from '../test-support/daemon-harness.js';
import { HealthFileWriter } from './health-file-writer.js';
import type { HealthSnapshot } from './health-snapshot.js';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => sim?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readHealth(file: string): Promise<HealthSnapshot | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as HealthSnapshot;
  } catch {
    return undefined;
  }
}

/** Polls until `predicate` holds for the file's content (every 10 ms, up to 5 s). */
async function waitForHealth(file: string, predicate: (health: HealthSnapshot) => boolean): Promise<HealthSnapshot> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const health = await readHealth(file);
    if (health && predicate(health)) return health;
    if (Date.now() > deadline) throw new Error(`health file ${file} never matched; last: ${JSON.stringify(health)}`);
    await sleep(10);
  }
}

describe('health file', () => {
  it('appears, is rewritten every interval with the original fields plus breakers, and says draining after stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exai-health-'));
    // A folder that does not exist yet: the writer creates it.
    const file = join(dir, 'nested', 'logs', 'ws_daemon.health.json');
    const test = await startTestDaemon({ EXAI_HEALTH_FILE: file, EXAI_HEALTH_INTERVAL_MS: '40', EXAI_REPLICA_ID: 'replica-a', TOOL_PROFILE: 'lean' }, { sim });
    try {
      const first = await waitForHealth(file, (health) => health.port !== 0);
      expect(first).toMatchObject({
        pid: process.pid,
        host: '127.0.0.1',
        port: test.daemon.port,
        sessions: 0,
        global_inflight: 0,
        tool_count: 8,
        replica_id: 'replica-a',
        draining: false,
        storage: { kind: 'memory', state: 'up', journal_backlog: 0 },
        providers: [
          { provider: 'glm', configured: true },
          { provider: 'kimi', configured: true },
        ],
      });
      expect(first.global_capacity).toBeGreaterThan(0);
      expect(first.t).toBeCloseTo(Date.now() / 1000, -1);
      expect(first.started_at).toBeCloseTo(test.daemon.context.startedAt.getTime() / 1000, 3);
      expect(first.uptime_human).toMatch(/^\d+s$/);
      expect(first.breakers.keys).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'glm#1', provider: 'glm', state: 'closed' }), expect.objectContaining({ name: 'kimi#1', provider: 'kimi', state: 'closed' })]),
      );
      expect(first.breakers.models).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'glm-4.5-flash', state: 'closed' })]));

      const rewritten = await waitForHealth(file, (health) => health.t > first.t);
      expect(rewritten.t).toBeGreaterThan(first.t);
      // Written through a temporary file and renamed: nothing else is left in the folder.
      expect(readdirSync(dirname(file))).toEqual(['ws_daemon.health.json']);
    } finally {
      await test.close();
    }
    const last = await readHealth(file);
    expect(last?.draining).toBe(true);
    // Stopped: the file is no longer rewritten.
    const { mtimeMs } = await stat(file);
    await sleep(150);
    expect((await stat(file)).mtimeMs).toBe(mtimeMs);
  });

  it('says draining at once when shutdown begins, while /readyz answers 503', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exai-health-'));
    const file = join(dir, 'ws_daemon.health.json');
    // A long interval: the draining write comes from drain(), not from the timer.
    const test = await startTestDaemon({ EXAI_HEALTH_FILE: file, EXAI_HEALTH_INTERVAL_MS: '600000', EXAI_SHUTDOWN_DEADLINE_MS: '5000' }, { sim });
    await waitForHealth(file, (health) => !health.draining);
    const end = test.daemon.context.inFlight.begin();
    const stopped = test.close();
    try {
      const ready = await fetch(`${test.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'not_ready', draining: true });
      await waitForHealth(file, (health) => health.draining);
    } finally {
      end();
      await stopped;
    }
  });

  it('logs a failed write and keeps the daemon running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exai-health-'));
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, 'a file where the folder should be');
    const test = await startTestDaemon({ EXAI_HEALTH_FILE: join(blocker, 'ws_daemon.health.json'), EXAI_HEALTH_INTERVAL_MS: '30' }, { sim });
    try {
      const deadline = Date.now() + 5_000;
      while (!test.logs.some((line) => line.includes('health file could not be written')) && Date.now() < deadline) await sleep(10);
      const line = test.logs.find((entry) => entry.includes('health file could not be written'));
      expect(line).toBeDefined();
      expect(JSON.parse(line as string)).toMatchObject({ level: 40, component: 'health-file' });
      expect((await fetch(`${test.url}/healthz`)).status).toBe(200);
    } finally {
      await test.close();
    }
  });
});

describe('HealthFileWriter', () => {
  it('logs at error level once no write has succeeded for errorAfterMs, and recovers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exai-health-'));
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk)) as { level: number; msg: string }), done()) }));
    let now = 1_000_000;
    let content: unknown = { ok: 1 };
    const writer = new HealthFileWriter({ file: join(dir, 'health.json'), intervalMs: 60_000, snapshot: () => content, logger, errorAfterMs: 30_000, now: () => now });
    expect(await writer.write()).toBe(true);
    content = { big: 1n }; // JSON.stringify throws on a BigInt: a failing snapshot must not throw either.
    now += 10_000;
    expect(await writer.write()).toBe(false);
    now += 25_000;
    expect(await writer.write()).toBe(false);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [40, 'health file could not be written'],
      [50, 'health file: no successful write for 35 s'],
    ]);
    content = { ok: 2 };
    expect(await writer.stop()).toBe(true);
    expect(lines.at(-1)).toMatchObject({ level: 30, msg: 'health file written again' });
    expect(JSON.parse(await readFile(join(dir, 'health.json'), 'utf8'))).toEqual({ ok: 2 });
  });

  it('serialises concurrent writes: the last one wins and no temporary file is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exai-health-'));
    let n = 0;
    const writer = new HealthFileWriter({ file: join(dir, 'health.json'), intervalMs: 60_000, snapshot: () => ({ n: ++n }), logger: pino({ level: 'silent' }) });
    const results = await Promise.all([writer.write(), writer.write(), writer.write()]);
    expect(results).toEqual([true, true, true]);
    expect(JSON.parse(await readFile(join(dir, 'health.json'), 'utf8'))).toEqual({ n: 3 });
    expect(readdirSync(dir)).toEqual(['health.json']);
  });
});
