import { describeStatuses, recordChecks, sleep, type ChatOutcome, type Scenario } from '../chaos-harness.js';

/**
 * 9. Clients leaving mid-call: (a) a client's socket dropped without a closing handshake, (b) a client
 * cancelling with `notifications/cancelled`, (c) a streaming client closing its socket after the
 * first progress notification. Each time the daemon aborts the upstream request — checked at the
 * simulator (`aborted`) — and records the call as `cancelled`.
 */
export const clientDisconnect: Scenario = {
  id: 9,
  title: 'clients disconnecting mid-call',
  async run(harness) {
    const { sim } = harness;
    const each = harness.quick ? 2 : 3;
    const storage = harness.newStorage();
    const user = harness.newUser();
    const daemon = await harness.startDaemon({ storage });
    const upstreamOf = (tag: string) => sim.waitFor((request) => request.path.endsWith('/chat/completions') && JSON.stringify(request.body ?? '').includes(`[#${tag}#]`), { timeoutMs: 10_000 });
    const abortedWithin = async (tag: string, timeoutMs = 5000): Promise<boolean> =>
      sim.waitFor((request) => request.aborted && JSON.stringify(request.body ?? '').includes(`[#${tag}#]`), { timeoutMs }).then(
        () => true,
        () => false,
      );

    // (a) dropped sockets.
    const dropped = await harness.connectMany(daemon, user.token, each);
    const droppedCalls: Array<Promise<ChatOutcome>> = dropped.map((socket, index) => harness.chat(socket, `s9a-${index}`, { extra: '[[sim:latency:10000]]' }));
    await Promise.all(dropped.map((_, index) => upstreamOf(`s9a-${index}`)));
    for (const socket of dropped) socket.terminate();
    const droppedAborted = await Promise.all(dropped.map((_, index) => abortedWithin(`s9a-${index}`)));
    await Promise.all(droppedCalls);

    // (b) MCP cancellation; the connection stays open and usable.
    const cancelling = await harness.connect(daemon, user.token);
    const cancelled = Array.from({ length: each }, (_, index) => {
      const pending = cancelling.callTool('chat', { prompt: `[#s9b-${index}#] [[sim:latency:10000]]`, model: 'glm-4.5-flash' }, { timeoutMs: 3000 });
      return { id: pending.id, pending };
    });
    await Promise.all(cancelled.map((_, index) => upstreamOf(`s9b-${index}`)));
    for (const { id } of cancelled) cancelling.cancel(id);
    const cancelAborted = await Promise.all(cancelled.map((_, index) => abortedWithin(`s9b-${index}`)));
    const cancelAnswers = await Promise.all(cancelled.map(({ pending }) => pending));
    const afterCancel = await harness.chat(cancelling, 's9b-after');
    await cancelling.close();

    // (c) a streaming client leaving after its first progress notification.
    const streaming = await harness.connect(daemon, user.token);
    let progressSeen = 0;
    const streamed = harness.chat(streaming, 's9c', {
      extra: '[[sim:long:400]] [[sim:latency:100]]',
      onProgress: () => {
        progressSeen++;
        if (progressSeen === 1) void streaming.close();
      },
    });
    const streamAborted = await abortedWithin('s9c', 15_000);
    await streamed;

    // The daemon records each as cancelled once its handler has unwound.
    await sleep(500);
    const exit = await daemon.stop();
    const counts = await harness.records(storage, user.userId);
    const cancelledTotal = each * 2 + 1;
    return [
      { expectation: `(a) ${each} sockets dropped mid-call: upstream requests aborted`, saw: `${droppedAborted.filter(Boolean).length} of ${each} aborted at the simulator`, pass: droppedAborted.every(Boolean) },
      { expectation: `(b) ${each} calls cancelled (notifications/cancelled): upstream requests aborted`, saw: `${cancelAborted.filter(Boolean).length} of ${each} aborted at the simulator`, pass: cancelAborted.every(Boolean) },
      {
        expectation: '(b) no answer to a cancelled request (MCP); the connection still serves calls',
        saw: `${cancelAnswers.filter((answer) => answer.kind === 'answer').length} answered; next call ${afterCancel.call.label}`,
        pass: cancelAnswers.every((answer) => answer.kind === 'timeout') && afterCancel.call.class === 'ok',
      },
      { expectation: '(c) a streaming client leaving after the first progress: upstream stream aborted', saw: `${progressSeen} progress notification(s), ${streamAborted ? 'aborted' : 'not aborted'} at the simulator`, pass: progressSeen >= 1 && streamAborted },
      ...recordChecks(counts, { success: 1, cancelled: cancelledTotal }),
      { expectation: 'daemon exits 0 on SIGTERM', saw: `exit ${exit.code}; tool_calls ${describeStatuses(counts)}`, pass: exit.code === 0 },
    ];
  },
};
