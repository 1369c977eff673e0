import { describeCalls, recordChecks, sleep, type Scenario } from '../chaos-harness.js';
import { McpWsClient, UpgradeRefusedError } from '../mcp-ws-client.js';

const DEADLINE_MS = 2500;

/**
 * 8. SIGTERM under load: calls in flight, some shorter than `EXAI_SHUTDOWN_DEADLINE_MS` and some
 * longer. The short ones finish with their answers; the long ones are cancelled at the deadline with
 * a clear JSON-RPC error (their upstream requests aborted); new calls on open connections get
 * `-32029 draining`, new connections HTTP 503 `draining`; the process exits 0. Restarted on the same
 * storage, the daemon shows every accepted call finished (through the `activity` tool and read
 * directly): answered ones `success` with usage, cancelled ones `cancelled`, none left `running`.
 */
export const sigtermUnderLoad: Scenario = {
  id: 8,
  title: 'SIGTERM under load',
  async run(harness) {
    const { sim } = harness;
    const short = harness.quick ? 4 : 8;
    const long = harness.quick ? 2 : 4;
    const storage = harness.newStorage();
    const user = harness.newUser();
    // Attempts longer than the long calls, so they run until the deadline rather than time out.
    const daemon = await harness.startDaemon({ storage, env: { EXAI_SHUTDOWN_DEADLINE_MS: String(DEADLINE_MS), EXAI_ATTEMPT_TIMEOUT_MS: '30000', EXAI_PROVIDER_CALL_TIMEOUT_MS: '60000', EXAI_TOOL_TIMEOUT_MS: '90000' } });
    const sockets = await harness.connectMany(daemon, user.token, short + long + 1);
    const spare = sockets.pop() as McpWsClient;
    const calls = sockets.map((socket, index) =>
      index < short
        ? harness.chat(socket, `s8-short-${index}`, { extra: '[[sim:latency:1000]]' })
        : harness.chat(socket, `s8-long-${index}`, { extra: '[[sim:latency:20000]]' }),
    );
    // Every call is upstream (accepted and running) before the signal.
    await harness.eventually(async () => sim.requests.filter((request) => JSON.stringify(request.body ?? '').includes('[#s8-')).length, (count) => count >= short + long, 10_000);
    const signalledAt = performance.now();
    process.kill(daemon.pid, 'SIGTERM');
    await sleep(100);
    const lateCall = await harness.chat(spare, 's8-late');
    const lateConnection = await McpWsClient.connect(daemon.wsUrl, { token: user.token }).then(
      (client) => {
        client.terminate();
        return 'connected';
      },
      (error: unknown) => (error instanceof UpgradeRefusedError ? `HTTP ${error.status} ${error.code} (Retry-After ${error.retryAfter})` : (error as Error).message),
    );
    const outcomes = await Promise.all(calls);
    const exit = await daemon.exited;
    const exitMs = performance.now() - signalledAt;
    const shortOut = outcomes.slice(0, short);
    const longOut = outcomes.slice(short);
    const longUpstream = longOut.flatMap((outcome) => harness.upstreamRequests(outcome.tag));

    // Restart on the same storage: the records are there.
    const restarted = await harness.startDaemon({ storage });
    const reader = await harness.connect(restarted, user.token);
    const activity = await reader.callTool('activity', { tool: 'chat', limit: 100 });
    const listed = (activity.kind === 'answer' ? ((activity.result as { structuredContent?: { calls?: Array<{ status: string }>; usage?: { calls: number } } }).structuredContent ?? {}) : {}) as {
      calls?: Array<{ status: string }>;
      usage?: { calls: number };
    };
    const byStatus = new Map<string, number>();
    for (const call of listed.calls ?? []) byStatus.set(call.status, (byStatus.get(call.status) ?? 0) + 1);
    await reader.close();
    await restarted.stop();
    const counts = await harness.records(storage, user.userId);
    return [
      { expectation: `${short} calls shorter than the deadline finish with their answers`, saw: describeCalls(shortOut), pass: shortOut.every((outcome) => outcome.call.class === 'ok') },
      {
        expectation: `${long} calls longer than the deadline (${DEADLINE_MS} ms) cancelled with a clear error`,
        saw: `${describeCalls(longOut)}${longOut[0]?.call.text ? ` ("${longOut[0].call.text.slice(0, 80)}")` : ''}`,
        pass: longOut.every((outcome) => outcome.call.class === 'clear_error' && outcome.call.label.startsWith('rpc ')),
      },
      { expectation: "the cancelled calls' upstream requests aborted", saw: `${longUpstream.filter((request) => request.aborted).length} of ${longUpstream.length} aborted`, pass: longUpstream.length === long && longUpstream.every((request) => request.aborted) },
      { expectation: 'a new call on an open connection: -32029 draining with retry_after_ms', saw: `${lateCall.call.label}${lateCall.call.retryAfterMs ? ` (retry_after_ms ${lateCall.call.retryAfterMs})` : ''}`, pass: lateCall.call.class === 'capacity' && lateCall.call.code === 'draining' },
      { expectation: 'a new connection: HTTP 503 draining', saw: lateConnection, pass: lateConnection.startsWith('HTTP 503 draining') },
      { expectation: `exit 0 after the deadline (within ${DEADLINE_MS + 5000} ms)`, saw: `exit ${exit.code ?? exit.signal} after ${exitMs.toFixed(0)} ms`, pass: exit.code === 0 && exitMs < DEADLINE_MS + 5000 },
      {
        expectation: `after a restart, activity lists the ${short + long} calls: ${short} success, ${long} cancelled; usage ${short}`,
        saw: `${[...byStatus.entries()].map(([status, count]) => `${status} ${count}`).join(', ') || 'none'}; usage ${listed.usage?.calls}`,
        pass: byStatus.get('success') === short && byStatus.get('cancelled') === long && byStatus.size === 2 && listed.usage?.calls === short,
      },
      ...recordChecks(counts, { success: short, cancelled: long }),
    ];
  },
};
