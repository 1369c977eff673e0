import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from '@jest/globals';
import { callDeadline } from './call-deadline.js';

describe('callDeadline', () => {
  it('aborts at the time limit, with a TimeoutError, and says it expired', async () => {
    const deadline = callDeadline(new AbortController().signal, 20);
    await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve));
    expect(deadline.expired).toBe(true);
    expect((deadline.signal.reason as DOMException).name).toBe('TimeoutError');
    deadline.dispose();
  });

  it("follows the caller's abort, with the caller's reason, without expiring", () => {
    const caller = new AbortController();
    const deadline = callDeadline(caller.signal, 60_000);
    caller.abort(new Error('user pressed stop'));
    expect(deadline.signal.aborted).toBe(true);
    expect((deadline.signal.reason as Error).message).toBe('user pressed stop');
    expect(deadline.expired).toBe(false);
    deadline.dispose();
  });

  it('is aborted at once for a caller that already was', () => {
    const caller = new AbortController();
    caller.abort(new Error('gone'));
    expect(callDeadline(caller.signal, 1000).signal.aborted).toBe(true);
  });

  it('without a limit, is the caller signal itself', () => {
    const caller = new AbortController();
    expect(callDeadline(caller.signal, undefined).signal).toBe(caller.signal);
  });

  it('once disposed, neither the timer nor the caller aborts it, and finished calls are not kept alive', async () => {
    const caller = new AbortController();
    const deadline = callDeadline(caller.signal, 20);
    deadline.dispose();
    caller.abort();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(deadline.signal.aborted).toBe(false);
    expect(deadline.expired).toBe(false);

    // 5,000 finished calls with a long limit: nothing of theirs stays reachable (AbortSignal.timeout
    // kept each one's signals and listeners until the limit passed).
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    const longLived = new AbortController();
    for (let call = 0; call < 5000; call++) {
      const held = { payload: 'x'.repeat(1000) + call };
      const each = callDeadline(longLived.signal, 450_000);
      each.signal.addEventListener('abort', () => held.payload.length);
      each.dispose();
    }
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(2 * 1024 * 1024);
  });
});
