import { describeCalls, describeProviders, recordChecks, type ChatOutcome, type Scenario } from '../chaos-harness.js';

/**
 * 3. Connection resets: the simulator destroys the socket (a) of a GLM stream before its first chunk,
 * (b) of a plain (non-streamed) Kimi call, (c) of a GLM stream once text has gone out. (a) and (b)
 * are retried or fall back, so the client gets an answer; (c) has already sent text to the client as
 * progress, so it cannot be replayed elsewhere: the client gets a tool error with a stable code, after
 * the partial progress. (b) runs on Kimi so that GLM's breaker — which opens at half the calls
 * failing — still lets (c) reach GLM.
 */
export const streamReset: Scenario = {
  id: 3,
  title: 'connection resets mid-stream',
  async run(harness) {
    const { sim } = harness;
    const storage = harness.newStorage();
    const user = harness.newUser();
    const daemon = await harness.startDaemon({ storage });
    const [first, second, third] = await harness.connectMany(daemon, user.token, 3);
    if (!first || !second || !third) throw new Error('clients did not connect');
    const progress = new Map<string, number>();
    const streamed = (tag: string) => ({ onProgress: () => progress.set(tag, (progress.get(tag) ?? 0) + 1) });

    // (a) GLM streams reset before their first chunk.
    const before: ChatOutcome[] = [];
    for (let call = 0; call < 2; call++) {
      sim.addFault({ vendor: 'glm', path: '/chat/completions', fault: 'reset-after:0', times: 1 });
      before.push(await harness.chat(first, `s3a-${call}`, streamed(`s3a-${call}`)));
    }
    // (b) plain Kimi calls whose socket is destroyed instead of answered.
    const plain: ChatOutcome[] = [];
    for (let call = 0; call < 2; call++) {
      sim.addFault({ vendor: 'kimi', path: '/chat/completions', fault: 'reset-after:0', times: 1 });
      plain.push(await harness.chat(second, `s3b-${call}`, { model: 'kimi-k2-turbo-preview' }));
    }
    // (c) a GLM stream reset after 12 chunks (reasoning first, then text): a long answer, so the reset is mid-text.
    sim.addFault({ vendor: 'glm', path: '/chat/completions', fault: 'reset-after:12', times: 1 });
    const mid = await harness.chat(third, 's3c', { ...streamed('s3c'), extra: '[[sim:long:200]]' });
    const reset = (tag: string): number => harness.upstreamRequests(tag).filter((request) => !request.completed).length;
    const resetsServed = ['s3a-0', 's3a-1', 's3b-0', 's3b-1', 's3c'].reduce((sum, tag) => sum + reset(tag), 0);

    await Promise.all([first, second, third].map((socket) => socket.close()));
    const exit = await daemon.stop();
    const counts = await harness.records(storage, user.userId);
    const again = [...before, ...plain].filter((outcome) => harness.upstreamRequests(outcome.tag).length > 1).length;
    return [
      { expectation: 'the simulator reset 5 connections (2 GLM streams before a chunk, 2 plain Kimi calls, 1 GLM stream mid-text)', saw: `${resetsServed} requests reset`, pass: resetsServed === 5 },
      { expectation: '(a) stream reset before the first token: answered (retried or fallen back)', saw: `${describeCalls(before)} (${describeProviders(before)})`, pass: before.every((outcome) => outcome.call.class === 'ok') },
      { expectation: '(b) plain call reset: answered (retried or fallen back)', saw: `${describeCalls(plain)} (${describeProviders(plain)})`, pass: plain.every((outcome) => outcome.call.class === 'ok') },
      { expectation: '(a)+(b) went upstream again after the reset', saw: `${again} of 4 calls sent a second request`, pass: again === 4 },
      {
        expectation: '(c) stream reset after text was sent: a tool error with a stable code, after partial progress',
        saw: `${mid.call.label}${mid.call.text ? ` ("${mid.call.text.slice(0, 100)}")` : ''}; ${progress.get('s3c') ?? 0} progress notifications first`,
        pass: mid.call.class === 'clear_error' && mid.call.label.startsWith('tool ') && (progress.get('s3c') ?? 0) > 0,
      },
      ...recordChecks(counts, { success: 4, error: 1 }),
      { expectation: 'the failed call is recorded with its code', saw: JSON.stringify(counts.errorCodes), pass: mid.call.code !== undefined && counts.errorCodes[mid.call.code] === 1 },
      { expectation: 'daemon exits 0 on SIGTERM', saw: `exit ${exit.code}`, pass: exit.code === 0 },
    ];
  },
};
