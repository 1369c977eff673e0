import { clientAddress, clientToken, clientUserId, type StorageTarget } from '../daemon-env.js';
import { describeCalls, recordChecks, sleep, type ChaosHarness, type ChatOutcome, type RecordCounts, type Scenario, type ScenarioCheck } from '../chaos-harness.js';
import { runSteadySoak } from '../steady-soak.js';
import { TcpProxy } from '../tcp-proxy.js';

/**
 * 6. The database cut mid-run: the daemon's PostgreSQL goes through a TCP proxy that is cut (open
 * connections reset, new ones refused) while clients keep calling. Clients keep getting answers —
 * the storage journal takes the writes (fsync'd before the answer) — and a thread continued during
 * the outage still sees its turns. When the proxy is restored, the journal replays, and every call's
 * records reach the database: read directly (not through the proxy) and compared call for call.
 * Full runs add a cut under a steady load of many users: the journal must drain while the load goes
 * on (it did not before the replay ran users in parallel), and every answered call reach the database.
 */
export const databaseCut: Scenario = {
  id: 6,
  title: 'database cut mid-run',
  needs: ['postgres'],
  async run(harness) {
    const base = harness.newStorage();
    if (base.kind !== 'postgres') throw new Error('needs PostgreSQL');
    const target = new URL(base.url);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    try {
      const storage: StorageTarget = { ...base, url: proxy.rewrite(base.url) };
      const perPhase = harness.quick ? 4 : 10;
      const user = harness.newUser();
      const daemon = await harness.startDaemon({ storage });
      const sockets = await harness.connectMany(daemon, user.token, 4);
      const phase = async (name: string): Promise<ChatOutcome[]> =>
        (await Promise.all(sockets.map(async (socket, client) => {
          const mine: ChatOutcome[] = [];
          for (let call = client; call < perPhase; call += sockets.length) mine.push(await harness.chat(socket, `s6-${name}-${call}`));
          return mine;
        }))).flat();

      const before = await phase('before');
      await proxy.cut();
      const during = await phase('during');
      // A thread started and continued during the outage: the second turn must see the first.
      const socket = sockets[0];
      if (!socket) throw new Error('no client');
      const opener = await harness.chat(socket, 's6-thread-1');
      const follow = opener.call.continuationId ? await harness.chat(socket, 's6-thread-2', { continuationId: opener.call.continuationId }) : undefined;
      const seenMessages = Number(/messages: (\d+)/.exec(follow?.call.text ?? '')?.[1] ?? 0);
      const readyDuring = (await (await fetch(`${daemon.url}/readyz`)).json()) as { storage?: { state?: string; journal_backlog?: number } };
      await sleep(300);
      await proxy.restore();
      const after = await phase('after');

      const answered = [...before, ...during, opener, ...(follow ? [follow] : []), ...after].length;
      // The follow-up adds its turns to the opener's thread.
      const threads = answered - (follow ? 1 : 0);
      const direct: StorageTarget = { ...base };
      const expected = (counts: RecordCounts): boolean => counts.toolCalls.success === answered && counts.usageEvents === answered && counts.messages === answered * 2;
      const started = Date.now();
      const counts = await harness.eventually(() => harness.records(direct, user.userId), expected, 30_000);
      const replaySeconds = (Date.now() - started) / 1000;
      const readyAfter = (await (await fetch(`${daemon.url}/readyz`)).json()) as { storage?: { state?: string; journal_backlog?: number } };
      await Promise.all(sockets.map((client) => client.close()));
      const exit = await daemon.stop();
      const underLoad = harness.quick ? [] : await cutUnderLoad(harness, proxy, base);
      return [
        { expectation: `calls before the cut answered (${before.length})`, saw: describeCalls(before), pass: before.every((outcome) => outcome.call.class === 'ok') },
        {
          expectation: `calls during the outage answered (${during.length}); storage reports the journal`,
          saw: `${describeCalls(during)}; /readyz storage ${readyDuring.storage?.state}, journal backlog ${readyDuring.storage?.journal_backlog}`,
          pass: during.every((outcome) => outcome.call.class === 'ok') && readyDuring.storage?.state !== 'up',
        },
        { expectation: 'a thread continued during the outage sees its first turn', saw: follow ? `${follow.call.label}, the model saw ${seenMessages} messages` : `opener ${opener.call.label}`, pass: follow?.call.class === 'ok' && seenMessages >= 3 },
        { expectation: `calls after the restore answered (${after.length})`, saw: describeCalls(after), pass: after.every((outcome) => outcome.call.class === 'ok') },
        ...recordChecks(counts, { success: answered }),
        {
          expectation: `database (read directly): ${threads} threads, ${answered * 2} messages; journal empty`,
          saw: `${counts.conversations} threads, ${counts.messages} messages after ${replaySeconds.toFixed(1)} s; /readyz storage ${readyAfter.storage?.state}, backlog ${readyAfter.storage?.journal_backlog}`,
          pass: counts.conversations === threads && counts.messages === answered * 2 && readyAfter.storage?.journal_backlog === 0,
        },
        { expectation: 'daemon exits 0 on SIGTERM', saw: `exit ${exit.code}`, pass: exit.code === 0 },
        ...underLoad,
      ];
    } finally {
      await proxy.close();
    }
  },
};

const LOAD_USERS = 20;
const LOAD_RATE = 30;
const LOAD_MS = 24_000;
const CUT_AT_MS = 6_000;
const CUT_FOR_MS = 3_000;

/** A cut under a steady load of {@link LOAD_USERS} users: the journal drains while the load goes on, and nothing is lost. */
async function cutUnderLoad(harness: ChaosHarness, proxy: TcpProxy, base: Extract<StorageTarget, { kind: 'postgres' }>): Promise<ScenarioCheck[]> {
  const daemon = await harness.startDaemon({ storage: { ...base, url: proxy.rewrite(base.url) } });
  const run = 6;
  const backlog: Array<{ at: number; backlog: number }> = [];
  const started = Date.now();
  let restoredAt = 0;
  const poller = setInterval(() => {
    fetch(`${daemon.url}/readyz`)
      .then(async (response) => ((await response.json()) as { storage?: { journal_backlog?: number } }).storage?.journal_backlog)
      .then((value) => backlog.push({ at: Date.now() - started, backlog: value ?? -1 }))
      .catch(() => undefined);
  }, 250);
  const outage = sleep(CUT_AT_MS)
    .then(() => proxy.cut())
    .then(() => sleep(CUT_FOR_MS))
    .then(() => proxy.restore())
    .then(() => (restoredAt = Date.now() - started));
  const load = await runSteadySoak({
    wsUrl: daemon.wsUrl,
    httpUrl: daemon.url,
    pid: daemon.pid,
    clients: LOAD_USERS,
    ratePerSecond: LOAD_RATE,
    durationMs: LOAD_MS,
    intervalMs: LOAD_MS,
    warmupMs: 0,
    reconnectEvery: 0,
    model: 'glm-4.5-flash',
    callTimeoutMs: 30_000,
    token: (index) => clientToken(harness.options.jwtSecret, index, run),
    localAddress: (index) => clientAddress(index, LOAD_USERS),
  });
  await outage;
  clearInterval(poller);
  const peak = Math.max(0, ...backlog.map((sample) => sample.backlog));
  const drainedAt = backlog.find((sample) => sample.at > restoredAt && sample.backlog === 0)?.at;
  const users = Array.from({ length: LOAD_USERS }, (_, index) => clientUserId(index, run));
  const answered = load.tally.byClass.ok;
  const counts = await harness.eventually(
    () => harness.databaseCounts(users),
    (value) => value.toolCalls.success === answered && value.usageEvents === answered,
    30_000,
  );
  const exit = await daemon.stop();
  return [
    {
      expectation: `under load (${LOAD_USERS} users, ${LOAD_RATE} calls/s, cut ${CUT_FOR_MS / 1000} s): every call answered`,
      saw: `${load.tally.describe()}`,
      pass: answered === load.calls && load.calls > 0,
    },
    {
      expectation: `under load: the journal drains while the load goes on (the load runs ${(LOAD_MS - CUT_AT_MS - CUT_FOR_MS) / 1000} s past the restore)`,
      saw: `backlog peaked at ${peak}; ${drainedAt === undefined ? 'not drained during the load' : `empty ${((drainedAt - restoredAt) / 1000).toFixed(1)} s after the restore`}`,
      pass: peak > 0 && drainedAt !== undefined && drainedAt < LOAD_MS,
    },
    {
      expectation: `under load: database (read directly) holds every answered call (${answered} success, ${answered} usage events)`,
      saw: `tool_calls ${Object.entries(counts.toolCalls).map(([status, count]) => `${status} ${count}`).join(', ') || 'none'}; ${counts.usageEvents} usage events`,
      pass: counts.toolCalls.success === answered && counts.usageEvents === answered && Object.keys(counts.toolCalls).length === 1,
    },
    { expectation: 'under load: daemon exits 0 on SIGTERM', saw: `exit ${exit.code}`, pass: exit.code === 0 },
  ];
}
