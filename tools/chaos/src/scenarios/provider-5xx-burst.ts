import { describeCalls, describeProviders, recordChecks, type Scenario } from '../chaos-harness.js';

/**
 * 1. Provider 5xx bursts: GLM answers a burst of 500s (and Kimi two 502s). Calls are retried on GLM (backoff) or
 * fall back to Kimi; every client gets an answer, and every call is recorded with its usage.
 */
export const provider5xxBurst: Scenario = {
  id: 1,
  title: 'provider 5xx bursts',
  async run(harness) {
    const { sim } = harness;
    const clients = harness.quick ? 6 : 10;
    const callsEach = harness.quick ? 2 : 3;
    const burst = harness.quick ? 12 : 24;
    const storage = harness.newStorage();
    const user = harness.newUser();
    const daemon = await harness.startDaemon({ storage });
    const sockets = await harness.connectMany(daemon, user.token, clients);
    // GLM's burst is the fault; two 502s from Kimi make the fallback path meet errors of its own.
    sim.addFault({ vendor: 'glm', path: '/chat/completions', fault: 'status:500', times: burst });
    sim.addFault({ vendor: 'kimi', path: '/chat/completions', fault: 'status:502', times: 2 });
    const outcomes = (
      await Promise.all(sockets.map(async (socket, index) => {
        const mine = [];
        for (let call = 0; call < callsEach; call++) mine.push(await harness.chat(socket, `s1-${index}-${call}`));
        return mine;
      }))
    ).flat();
    const fiveXX = sim.requests.filter((request) => (request.status ?? 0) >= 500).length;
    const retriedOnGlm = outcomes.filter((outcome) => outcome.call.provider === 'glm' && harness.upstreamRequests(outcome.tag).length > 1).length;
    const fellBack = outcomes.filter((outcome) => outcome.call.provider === 'kimi').length;
    await Promise.all(sockets.map((socket) => socket.close()));
    const exit = await daemon.stop();
    const counts = await harness.records(storage, user.userId);
    const total = clients * callsEach;
    return [
      { expectation: `the simulator answered a burst of 5xx (up to ${burst})`, saw: `${fiveXX} 5xx answers (GLM 500s, Kimi 502s)`, pass: fiveXX > 0 },
      { expectation: `all ${total} calls answered with a result`, saw: describeCalls(outcomes), pass: outcomes.every((outcome) => outcome.call.class === 'ok') },
      { expectation: 'failed attempts retried on GLM or fallen back to Kimi', saw: `answered by ${describeProviders(outcomes)}; ${retriedOnGlm} retried on GLM, ${fellBack} fell back to Kimi`, pass: retriedOnGlm + fellBack > 0 },
      ...recordChecks(counts, { success: total }),
      { expectation: 'daemon exits 0 on SIGTERM', saw: `exit ${exit.code}`, pass: exit.code === 0 },
    ];
  },
};
