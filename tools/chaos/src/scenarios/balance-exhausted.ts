import { describeCalls, describeProviders, recordChecks, type ChatOutcome, type Scenario } from '../chaos-harness.js';

/**
 * 5. One provider's balance exhausted: (a) Kimi's balance is 0 (429 `exceeded_current_quota_error`),
 * calls naming a Kimi model fall back to GLM; (b) GLM answers 1113 "insufficient balance", calls
 * naming a GLM model fall back to Kimi. Quota errors are not retried: at most one request per call to
 * the exhausted provider, and none once its key has left rotation.
 */
export const balanceExhausted: Scenario = {
  id: 5,
  title: "one provider's balance exhausted",
  async run(harness) {
    const { sim } = harness;
    const calls = harness.quick ? 3 : 6;
    const storage = harness.newStorage();
    const user = harness.newUser();

    // (a) Kimi at 0.
    let daemon = await harness.startDaemon({ storage });
    let sockets = await harness.connectMany(daemon, user.token, calls);
    sim.setKimiBalance(0);
    const kimiOut: ChatOutcome[] = [];
    for (const [index, socket] of sockets.entries()) kimiOut.push(await harness.chat(socket, `s5a-${index}`, { model: 'kimi-k2-turbo-preview' }));
    const kimiRequests = kimiOut.map((outcome) => harness.upstreamRequests(outcome.tag).filter((request) => request.vendor === 'kimi').length);
    sim.setKimiBalance(100);
    await Promise.all(sockets.map((socket) => socket.close()));
    const exitA = await daemon.stop();

    // (b) GLM 1113, on a fresh daemon (the exhausted key of (a) would still be out of rotation).
    daemon = await harness.startDaemon({ storage });
    sockets = await harness.connectMany(daemon, user.token, calls);
    sim.addFault({ vendor: 'glm', path: '/chat/completions', fault: 'error:1113' });
    const glmOut: ChatOutcome[] = [];
    for (const [index, socket] of sockets.entries()) glmOut.push(await harness.chat(socket, `s5b-${index}`));
    sim.clearFaults();
    const glmRequests = glmOut.map((outcome) => harness.upstreamRequests(outcome.tag).filter((request) => request.vendor === 'glm').length);
    await Promise.all(sockets.map((socket) => socket.close()));
    const exitB = await daemon.stop();
    const counts = await harness.records(storage, user.userId);
    const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
    return [
      { expectation: `(a) Kimi balance 0: all ${calls} Kimi calls answered by GLM`, saw: `${describeCalls(kimiOut)}; answered by ${describeProviders(kimiOut)}`, pass: kimiOut.every((outcome) => outcome.call.class === 'ok' && outcome.call.provider === 'glm') },
      { expectation: '(a) the quota error is not retried: ≤ 1 Kimi request per call, 1 in all', saw: `Kimi requests per call: ${kimiRequests.join(', ')}`, pass: kimiRequests.every((count) => count <= 1) && sum(kimiRequests) === 1 },
      { expectation: `(b) GLM 1113: all ${calls} GLM calls answered by Kimi`, saw: `${describeCalls(glmOut)}; answered by ${describeProviders(glmOut)}`, pass: glmOut.every((outcome) => outcome.call.class === 'ok' && outcome.call.provider === 'kimi') },
      { expectation: '(b) the quota error is not retried: ≤ 1 GLM request per call, 1 in all', saw: `GLM requests per call: ${glmRequests.join(', ')}`, pass: glmRequests.every((count) => count <= 1) && sum(glmRequests) === 1 },
      ...recordChecks(counts, { success: calls * 2 }),
      { expectation: 'daemons exit 0 on SIGTERM', saw: `exit ${exitA.code}, ${exitB.code}`, pass: exitA.code === 0 && exitB.code === 0 },
    ];
  },
};
