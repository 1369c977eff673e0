import { describe, expect, it } from '@jest/globals';
import { isBrokenCircuitError } from 'cockatiel';
import { CircuitOpenError } from './circuit-open-error.js';
import { composePolicies } from './compose-policies.js';
import { createCircuitBreaker, type CircuitBreakerOptions, type CircuitStateChange } from './create-circuit-breaker.js';

const fail = (): never => {
  throw new Error('upstream down');
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A breaker that records its state changes as `from>to:reason`. */
function recordingBreaker(options: Omit<CircuitBreakerOptions, 'onStateChange'>): {
  breaker: ReturnType<typeof createCircuitBreaker>;
  changes: string[];
  events: CircuitStateChange[];
} {
  const changes: string[] = [];
  const events: CircuitStateChange[] = [];
  const breaker = createCircuitBreaker({
    ...options,
    onStateChange: (change) => {
      events.push(change);
      changes.push(`${change.from}>${change.to}:${change.reason}`);
    },
  });
  return { breaker, changes, events };
}

/** Resolves when `signal` aborts, rejecting like a fetch would. */
function waitForAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted by caller')), { once: true }));
}

describe('createCircuitBreaker', () => {
  it('opens after consecutiveFailures failures in a row, and a success resets the count', async () => {
    const { breaker, changes, events } = recordingBreaker({ name: 'glm', consecutiveFailures: 3, halfOpenAfterMs: 10_000, isFailure: () => true });
    await expect(breaker.execute(fail)).rejects.toThrow('upstream down');
    await expect(breaker.execute(fail)).rejects.toThrow('upstream down');
    await breaker.execute(() => 'ok');
    await expect(breaker.execute(fail)).rejects.toThrow('upstream down');
    await expect(breaker.execute(fail)).rejects.toThrow('upstream down');
    expect(breaker.state).toBe('closed');
    expect(breaker.snapshot().consecutiveFailures).toBe(2);
    await expect(breaker.execute(fail)).rejects.toThrow('upstream down');
    expect(breaker.state).toBe('open');
    expect(changes).toEqual(['closed>open:consecutive_failures']);
    expect(events[0]?.name).toBe('glm');
    expect((events[0]?.error as Error).message).toBe('upstream down');

    let called = false;
    const rejected = await breaker
      .execute(() => {
        called = true;
      })
      .catch((error: unknown) => error);
    expect(called).toBe(false);
    expect(CircuitOpenError.isInstance(rejected)).toBe(true);
    expect(isBrokenCircuitError(rejected)).toBe(true);
    const open = rejected as CircuitOpenError;
    expect(open.code).toBe('circuit_open');
    expect(open.breaker).toBe('glm');
    expect(open.state).toBe('open');
    expect(open.retryAfterMs).toBeGreaterThan(9_000);
    expect(open.retryAfterMs).toBeLessThanOrEqual(10_000);
  });

  it('opens on the failure rate only once the window holds minimumRequests calls', async () => {
    const { breaker, changes } = recordingBreaker({
      samplingThreshold: 0.5,
      minimumRequests: 5,
      samplingDurationMs: 10_000,
      halfOpenAfterMs: 10_000,
      isFailure: () => true,
    });
    // 4 failures of 4 calls: 100 %, but fewer than 5 calls.
    for (let index = 0; index < 4; index++) await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('closed');
    expect(breaker.snapshot()).toMatchObject({ windowRequests: 4, windowFailures: 4 });
    // The 5th call, a failure: 5 of 5.
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(changes).toEqual(['closed>open:failure_rate']);
  });

  it('stays closed below the threshold and opens at exactly the threshold (LiteLLM: ≥ 50 %)', async () => {
    const { breaker, changes } = recordingBreaker({ samplingThreshold: 0.5, halfOpenAfterMs: 10_000, isFailure: () => true });
    for (const outcome of ['ok', 'fail', 'ok', 'ok', 'fail']) {
      await breaker.execute(outcome === 'ok' ? () => 1 : fail).catch(() => undefined);
    }
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', windowRequests: 5, windowFailures: 2 }); // 40 %
    await breaker.execute(fail).catch(() => undefined); // 3 of 6 = 50 %
    expect(changes).toEqual(['closed>open:failure_rate']);
  });

  it('forgets failures older than the sampling window', async () => {
    const { breaker } = recordingBreaker({ samplingThreshold: 0.5, minimumRequests: 3, samplingDurationMs: 100, halfOpenAfterMs: 10_000, isFailure: () => true });
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(fail).catch(() => undefined);
    await sleep(130);
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', windowRequests: 1 });
  });

  it('opens on whichever trips first when both kinds are configured', async () => {
    const { breaker, changes } = recordingBreaker({ consecutiveFailures: 2, samplingThreshold: 0.9, halfOpenAfterMs: 10_000, isFailure: () => true });
    await breaker.execute(fail).catch(() => undefined);
    await breaker.execute(fail).catch(() => undefined);
    expect(changes).toEqual(['closed>open:consecutive_failures']);
  });

  it('lets one probe through after halfOpenAfterMs; its success closes the breaker', async () => {
    const { breaker, changes } = recordingBreaker({ name: 'kimi', consecutiveFailures: 1, halfOpenAfterMs: 30, isFailure: () => true });
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.isOpen()).toBe(true);
    await sleep(40);
    expect(breaker.isOpen()).toBe(false); // the next call would be the probe
    expect(breaker.state).toBe('half-open');

    let release!: () => void;
    const probe = breaker.execute(() => new Promise<string>((resolve) => (release = () => resolve('recovered'))));
    expect(breaker.isOpen()).toBe(true); // probe in flight: others are rejected at once, not queued
    const second = await breaker.execute(() => 'second').catch((error: unknown) => error);
    expect(CircuitOpenError.isInstance(second)).toBe(true);
    expect((second as CircuitOpenError).state).toBe('half-open');
    release();
    await expect(probe).resolves.toBe('recovered');
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(() => 'normal')).resolves.toBe('normal');
    expect(changes).toEqual(['closed>open:consecutive_failures', 'open>half-open:cooldown_elapsed', 'half-open>closed:probe_succeeded']);
  });

  it('opens again, with a fresh cooldown, when the probe fails; events come in order', async () => {
    const { breaker, changes } = recordingBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 30, isFailure: () => true });
    await breaker.execute(fail).catch(() => undefined);
    await sleep(40);
    await expect(breaker.execute(fail)).rejects.toThrow('upstream down');
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().retryAfterMs).toBeGreaterThan(15);
    await sleep(40);
    await breaker.execute(() => 'ok');
    expect(changes).toEqual([
      'closed>open:consecutive_failures',
      'open>half-open:cooldown_elapsed',
      'half-open>open:probe_failed',
      'open>half-open:cooldown_elapsed',
      'half-open>closed:probe_succeeded',
    ]);
  });

  it('does not count errors isFailure rejects, such as aborts and invalid requests', async () => {
    const isFailure = (error: unknown): boolean => !(error instanceof Error && /aborted|bad request/.test(error.message));
    const { breaker, changes } = recordingBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 10_000, isFailure });
    for (const message of ['bad request', 'aborted', 'bad request']) {
      await expect(
        breaker.execute(() => {
          throw new Error(message);
        }),
      ).rejects.toThrow(message);
    }
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual([]);
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('open');
  });

  it('never counts an error thrown after the caller aborted, whatever isFailure says', async () => {
    const { breaker } = recordingBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 10_000, isFailure: () => true });
    const controller = new AbortController();
    const run = breaker.execute(({ signal }) => waitForAbort(signal), controller.signal);
    controller.abort();
    await expect(run).rejects.toThrow('aborted by caller');
    expect(breaker.state).toBe('closed');
  });

  it('keeps the breaker half-open when the probe ends with an uncounted error, so the next call probes', async () => {
    const { breaker, changes } = recordingBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 20, isFailure: (error) => (error as Error).message !== 'aborted' });
    await breaker.execute(fail).catch(() => undefined);
    await sleep(30);
    await expect(
      breaker.execute(() => {
        throw new Error('aborted');
      }),
    ).rejects.toThrow('aborted');
    expect(breaker.state).toBe('half-open');
    expect(breaker.isOpen()).toBe(false);
    await breaker.execute(() => 'ok');
    expect(changes).toEqual(['closed>open:consecutive_failures', 'open>half-open:cooldown_elapsed', 'half-open>closed:probe_succeeded']);
  });

  it('forceExecute calls through an open breaker (the last target left); success closes it', async () => {
    const { breaker, changes } = recordingBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 10_000, isFailure: () => true });
    await breaker.execute(fail).catch(() => undefined);
    expect(breaker.isOpen()).toBe(true);
    await expect(breaker.forceExecute(fail)).rejects.toThrow('upstream down');
    expect(breaker.state).toBe('open');
    await expect(breaker.forceExecute(() => 'forced')).resolves.toBe('forced');
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['closed>open:consecutive_failures', 'open>closed:forced_call_succeeded']);
  });

  it('a forced call that fails re-opens a half-open breaker, invalidating the probe in flight', async () => {
    const { breaker, changes } = recordingBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 20, isFailure: () => true });
    await breaker.execute(fail).catch(() => undefined);
    await sleep(30);
    let release!: () => void;
    const probe = breaker.execute(() => new Promise<string>((resolve) => (release = () => resolve('late success'))));
    await expect(breaker.forceExecute(fail)).rejects.toThrow('upstream down');
    expect(breaker.state).toBe('open');
    release();
    await expect(probe).resolves.toBe('late success');
    expect(breaker.state).toBe('open'); // the probe started in an earlier state: its success says nothing now
    expect(changes).toEqual(['closed>open:consecutive_failures', 'open>half-open:cooldown_elapsed', 'half-open>open:forced_call_failed']);
  });

  it('offers a forced view for pipelines', async () => {
    const { breaker } = recordingBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 10_000, isFailure: () => true });
    await breaker.execute(fail).catch(() => undefined);
    await expect(composePolicies(breaker).execute(() => 'normal')).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(composePolicies(breaker.forced).execute(({ signal }) => signal.aborted)).resolves.toBe(false);
    expect(breaker.state).toBe('closed');
  });

  it('isolate holds the breaker open, even against forceExecute, until every handle is disposed', async () => {
    const { breaker, changes } = recordingBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 10, isFailure: () => true });
    const first = breaker.isolate();
    const second = breaker.isolate();
    await expect(breaker.forceExecute(() => 1)).rejects.toMatchObject({ state: 'isolated' });
    first.dispose();
    first.dispose();
    expect(breaker.state).toBe('isolated');
    second.dispose();
    await expect(breaker.execute(() => 2)).resolves.toBe(2);
    expect(changes).toEqual(['closed>isolated:isolated', 'isolated>closed:isolation_ended']);
  });

  it('does not call the function when the signal has already aborted', async () => {
    const { breaker } = recordingBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 10, isFailure: () => true });
    await expect(breaker.execute(() => 1, AbortSignal.abort(new Error('too late')))).rejects.toThrow('too late');
  });

  it('admits calls run by the caller with begin, and learns from succeed and fail like execute', async () => {
    const { breaker, changes } = recordingBreaker({ name: 'glm', consecutiveFailures: 2, halfOpenAfterMs: 30, isFailure: (error) => error instanceof Error && error.message === 'down' });
    const durations: number[] = [];
    breaker.onSuccess(({ duration }) => durations.push(duration));
    breaker.succeed(breaker.begin());
    expect(durations).toHaveLength(1);
    // An uncounted error and an aborted call leave the count alone.
    breaker.fail(breaker.begin(), new Error('bad request'));
    breaker.fail(breaker.begin(), new Error('down'), true);
    breaker.fail(breaker.begin(), new Error('down'));
    expect(breaker.state).toBe('closed');
    breaker.fail(breaker.begin(), new Error('down'));
    expect(breaker.state).toBe('open');
    const refused = (() => {
      try {
        return breaker.begin();
      } catch (error) {
        return error;
      }
    })();
    expect(CircuitOpenError.isInstance(refused)).toBe(true);
    expect((refused as CircuitOpenError).state).toBe('open');

    // Forced through the open breaker: its success closes it.
    breaker.succeed(breaker.begin(true));
    expect(breaker.state).toBe('closed');

    // Half-open: one probe ticket; a second begin is refused until the probe ends.
    breaker.fail(breaker.begin(), new Error('down'));
    breaker.fail(breaker.begin(), new Error('down'));
    await sleep(40);
    const probe = breaker.begin();
    expect(() => breaker.begin()).toThrow(CircuitOpenError);
    breaker.succeed(probe);
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual([
      'closed>open:consecutive_failures',
      'open>closed:forced_call_succeeded',
      'closed>open:consecutive_failures',
      'open>half-open:cooldown_elapsed',
      'half-open>closed:probe_succeeded',
    ]);
  });

  it('refuses begin while isolated, even forced', () => {
    const breaker = createCircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 1000, isFailure: () => true });
    const handle = breaker.isolate();
    expect(() => breaker.begin()).toThrow(CircuitOpenError);
    expect(() => breaker.begin(true)).toThrow(CircuitOpenError);
    handle.dispose();
    expect(() => breaker.succeed(breaker.begin())).not.toThrow();
  });

  it('validates its settings', () => {
    const base = { halfOpenAfterMs: 1, isFailure: () => true };
    expect(() => createCircuitBreaker(base)).toThrow(RangeError);
    expect(() => createCircuitBreaker({ ...base, consecutiveFailures: 0 })).toThrow(RangeError);
    expect(() => createCircuitBreaker({ ...base, samplingThreshold: 1.5 })).toThrow(RangeError);
    expect(() => createCircuitBreaker({ ...base, samplingThreshold: 0.5, minimumRequests: 0 })).toThrow(RangeError);
    expect(() => createCircuitBreaker({ ...base, consecutiveFailures: 1, halfOpenAfterMs: 0 })).toThrow(RangeError);
  });
});
