import { randomBytes } from 'node:crypto';
import type { DaemonProcess } from '@exai/harness';
import { describeCalls, recordChecks, sleep, type ChatOutcome, type Scenario } from '../chaos-harness.js';
import { TcpProxy } from '../tcp-proxy.js';

/**
 * 7. Redis cut: the daemon's `REDIS_URL` (shared rate limits) goes through a TCP proxy that is cut.
 * With `EXAI_RATE_LIMIT_FAIL_OPEN=true` calls go on under a per-process limit and a warning is
 * logged; with `false` they are refused with `-32029`, limit `rate_store_unavailable`, and a
 * retry-after — and served again once Redis is back. Refused calls never reach a tool, so storage
 * holds exactly the accepted ones.
 */
export const redisCut: Scenario = {
  id: 7,
  title: 'Redis cut (rate limits fail open / closed)',
  needs: ['redis'],
  async run(harness) {
    const redis = new URL(harness.options.redisUrl as string);
    const proxy = await TcpProxy.start({ host: redis.hostname, port: Number(redis.port || 6379) });
    const calls = harness.quick ? 3 : 6;
    try {
      const storage = harness.newStorage();
      const user = harness.newUser();
      const env = (failOpen: boolean): Record<string, string> => ({
        REDIS_URL: proxy.rewrite(redis.toString()),
        EXAI_REDIS_PREFIX: `exai-chaos-${randomBytes(4).toString('hex')}`,
        EXAI_RATE_LIMIT_FAIL_OPEN: String(failOpen),
      });
      const batch = async (daemon: DaemonProcess, name: string): Promise<ChatOutcome[]> => {
        const socket = await harness.connect(daemon, user.token);
        const outcomes: ChatOutcome[] = [];
        for (let call = 0; call < calls; call++) outcomes.push(await harness.chat(socket, `s7-${name}-${call}`));
        await socket.close();
        return outcomes;
      };

      // Fail open.
      const open = await harness.startDaemon({ storage, env: env(true) });
      const openBefore = await batch(open, 'open-before');
      await proxy.cut();
      const openDuring = await batch(open, 'open-during');
      const warning = await open.waitForLog(/rate-limit store unavailable: limiting per process/, 5000).then(
        () => true,
        () => false,
      );
      await proxy.restore();
      const openExit = await open.stop();

      // Fail closed.
      const closed = await harness.startDaemon({ storage, env: env(false) });
      const closedBefore = await batch(closed, 'closed-before');
      await proxy.cut();
      const closedDuring = await batch(closed, 'closed-during');
      const refusalLogged = await closed.waitForLog(/rate-limit store unavailable: refusing calls/, 5000).then(
        () => true,
        () => false,
      );
      await proxy.restore();
      // ioredis reconnects with a backoff: served again within a few seconds.
      const restoredAt = Date.now();
      let closedAfter: ChatOutcome[] = [];
      const socket = await harness.connect(closed, user.token);
      for (let attempt = 0; Date.now() - restoredAt < 15_000; attempt++) {
        const probe = await harness.chat(socket, `s7-closed-probe-${attempt}`);
        if (probe.call.class === 'ok') {
          closedAfter = [probe];
          break;
        }
        await sleep(Math.min(probe.call.retryAfterMs ?? 500, 500));
      }
      const recoveredMs = Date.now() - restoredAt;
      await socket.close();
      const closedExit = await closed.stop();
      const counts = await harness.records(storage, user.userId);
      const refused = closedDuring.filter((outcome) => outcome.call.class === 'capacity' && outcome.call.code === 'rate_store_unavailable' && outcome.call.retryAfterMs !== undefined);
      const accepted = openBefore.length + openDuring.length + closedBefore.length + closedAfter.length;
      return [
        { expectation: 'fail open: calls answered before the cut', saw: describeCalls(openBefore), pass: openBefore.every((outcome) => outcome.call.class === 'ok') },
        { expectation: 'fail open: calls answered while Redis is cut', saw: describeCalls(openDuring), pass: openDuring.every((outcome) => outcome.call.class === 'ok') },
        { expectation: 'fail open: warning logged ("rate-limit store unavailable: limiting per process")', saw: warning ? 'logged' : 'not logged', pass: warning },
        { expectation: 'fail closed: calls answered before the cut', saw: describeCalls(closedBefore), pass: closedBefore.every((outcome) => outcome.call.class === 'ok') },
        {
          expectation: 'fail closed: calls refused while Redis is cut (-32029 rate_store_unavailable, retry_after_ms)',
          saw: `${describeCalls(closedDuring)}${refused[0] ? ` (retry_after_ms ${refused[0].call.retryAfterMs})` : ''}`,
          pass: refused.length === closedDuring.length,
        },
        { expectation: 'fail closed: the refusal is logged', saw: refusalLogged ? 'logged' : 'not logged', pass: refusalLogged },
        { expectation: 'fail closed: served again once Redis is back', saw: closedAfter.length ? `answered ${recoveredMs} ms after the restore` : 'still refused after 15 s', pass: closedAfter.length === 1 },
        ...recordChecks(counts, { success: accepted }),
        { expectation: 'daemons exit 0 on SIGTERM', saw: `exit ${openExit.code}, ${closedExit.code}`, pass: openExit.code === 0 && closedExit.code === 0 },
      ];
    } finally {
      await proxy.close();
    }
  },
};
