import { describeCalls, describeProviders, recordChecks, sleep, type Scenario } from '../chaos-harness.js';

const RETRY_AFTER_S = 1;
/** The simulator logs a request when its body has been read; allow a few ms of scheduling. */
const TOLERANCE_MS = 30;

/**
 * 4. 429 storms: for a while every chat request to GLM and to Kimi is refused with a rate limit and
 * `retry-after: 1` (GLM code 1302; Kimi `rate_limit_reached_error`, whose text also says "after 1
 * seconds"). Calls wait and retry, or fall back; every client gets an answer once the storm passes.
 * Measured at the simulator: no call comes back to a vendor sooner than the retry-after it was given.
 */
export const rateLimitStorm: Scenario = {
  id: 4,
  title: '429 storms, retry-after honoured',
  async run(harness) {
    const { sim } = harness;
    const calls = harness.quick ? 4 : 10;
    const stormMs = harness.quick ? 1500 : 2500;
    const storage = harness.newStorage();
    const user = harness.newUser();
    // Enough retries and time for a call to outlast the storm.
    const daemon = await harness.startDaemon({ storage, env: { EXAI_MAX_RETRIES: '4', EXAI_PROVIDER_CALL_TIMEOUT_MS: '9000', EXAI_TOOL_TIMEOUT_MS: '14000' } });
    const sockets = await harness.connectMany(daemon, user.token, calls);
    sim.addFault({ vendor: 'glm', path: '/chat/completions', fault: `error:1302 retry-after:${RETRY_AFTER_S}` });
    sim.addFault({ vendor: 'kimi', path: '/chat/completions', fault: `error:rate_limit_reached_error retry-after:${RETRY_AFTER_S}` });
    const stormEnds = sleep(stormMs).then(() => sim.clearFaults());
    const outcomes = await Promise.all(sockets.map((socket, index) => harness.chat(socket, `s4-${index}`, { model: index % 2 === 0 ? 'glm-4.5-flash' : 'kimi-k2-turbo-preview' })));
    await stormEnds;

    // Per call and vendor: the gap between a 429 and the call's next request to that vendor.
    const gaps: number[] = [];
    let refusals = 0;
    for (const outcome of outcomes) {
      const requests = harness.upstreamRequests(outcome.tag);
      for (const [index, request] of requests.entries()) {
        if (request.status !== 429) continue;
        refusals++;
        const next = requests.slice(index + 1).find((later) => later.vendor === request.vendor);
        if (next) gaps.push(next.receivedAt - request.receivedAt);
      }
    }
    const sorted = [...gaps].sort((a, b) => a - b);
    await Promise.all(sockets.map((socket) => socket.close()));
    const exit = await daemon.stop();
    const counts = await harness.records(storage, user.userId);
    return [
      { expectation: `a storm of 429s with retry-after ${RETRY_AFTER_S} s for ${stormMs} ms`, saw: `${refusals} refused requests`, pass: refusals >= calls },
      { expectation: `all ${calls} calls answered once the storm passed`, saw: `${describeCalls(outcomes)}; answered by ${describeProviders(outcomes)}`, pass: outcomes.every((outcome) => outcome.call.class === 'ok') },
      {
        expectation: `no retry to a vendor sooner than its retry-after (≥ ${RETRY_AFTER_S * 1000 - TOLERANCE_MS} ms)`,
        saw: gaps.length ? `${gaps.length} retries; gaps min ${sorted[0]?.toFixed(0)} ms, median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, max ${sorted[sorted.length - 1]?.toFixed(0)} ms` : 'no retries to the same vendor',
        pass: gaps.length > 0 && gaps.every((gap) => gap >= RETRY_AFTER_S * 1000 - TOLERANCE_MS),
      },
      ...recordChecks(counts, { success: calls }),
      { expectation: 'daemon exits 0 on SIGTERM', saw: `exit ${exit.code}`, pass: exit.code === 0 },
    ];
  },
};
