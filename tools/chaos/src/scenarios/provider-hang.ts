import { describeCalls, describeProviders, recordChecks, type Scenario } from '../chaos-harness.js';

const ATTEMPT_MS = 400;
const CALL_MS = 2000;

/**
 * 2. Hangs: GLM accepts requests and never answers. Each attempt is cut at `EXAI_ATTEMPT_TIMEOUT_MS`
 * (the request aborted at the simulator), retried once, then the call falls back to Kimi within
 * `EXAI_PROVIDER_CALL_TIMEOUT_MS` (tool 1.5 × call ≥ 1.5 × attempt, as the daemon requires).
 */
export const providerHang: Scenario = {
  id: 2,
  title: 'provider hangs',
  async run(harness) {
    const { sim } = harness;
    const calls = harness.quick ? 4 : 8;
    const storage = harness.newStorage();
    const user = harness.newUser();
    const daemon = await harness.startDaemon({
      storage,
      env: { EXAI_ATTEMPT_TIMEOUT_MS: String(ATTEMPT_MS), EXAI_PROVIDER_CALL_TIMEOUT_MS: String(CALL_MS), EXAI_TOOL_TIMEOUT_MS: String(CALL_MS * 2), EXAI_MAX_RETRIES: '1' },
    });
    const sockets = await harness.connectMany(daemon, user.token, calls);
    sim.addFault({ vendor: 'glm', path: '/chat/completions', fault: 'hang' });
    const outcomes = await Promise.all(sockets.map((socket, index) => harness.chat(socket, `s2-${index}`)));
    sim.clearFaults();
    const hung = sim.requests.filter((request) => request.vendor === 'glm' && request.path.endsWith('/chat/completions'));
    // Give the last aborts a moment to be logged.
    await harness.eventually(async () => hung.filter((request) => !request.aborted).length, (open) => open === 0, 3000);
    const stillOpen = hung.filter((request) => !request.aborted).length;
    const durations = outcomes.map((outcome) => outcome.elapsedMs);
    await Promise.all(sockets.map((socket) => socket.close()));
    const exit = await daemon.stop();
    const counts = await harness.records(storage, user.userId);
    return [
      { expectation: `all ${calls} calls answered, by Kimi (fallback)`, saw: `${describeCalls(outcomes)}; answered by ${describeProviders(outcomes)}`, pass: outcomes.every((outcome) => outcome.call.class === 'ok' && outcome.call.provider === 'kimi') },
      {
        expectation: `answers after the attempt limit (≥ ${ATTEMPT_MS} ms) and within the call limit (< ${CALL_MS} ms)`,
        saw: `${Math.min(...durations).toFixed(0)}–${Math.max(...durations).toFixed(0)} ms`,
        pass: durations.every((duration) => duration < CALL_MS + 500) && Math.max(...durations) >= ATTEMPT_MS,
      },
      { expectation: 'every hung GLM request cut off by the daemon (aborted at the simulator)', saw: `${hung.length - stillOpen} of ${hung.length} aborted`, pass: hung.length > 0 && stillOpen === 0 },
      ...recordChecks(counts, { success: calls }),
      { expectation: 'daemon exits 0 on SIGTERM', saw: `exit ${exit.code}`, pass: exit.code === 0 },
    ];
  },
};
