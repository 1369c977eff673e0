import { summarizeLatencies, type LatencySummary } from '@exai/harness';
import { classifyCall, OutcomeTally } from './call-outcome.js';
import { McpWsClient, UpgradeRefusedError } from './mcp-ws-client.js';

/** Who each simulated client is and where it connects from. */
export interface ClientIdentity {
  /** Bearer token of client `index` (undefined: anonymous). */
  token(index: number): string | undefined;
  /** Local address of client `index` (undefined: the default). */
  localAddress(index: number): string | undefined;
}

/** Options of {@link runBurst}. */
export interface BurstOptions extends ClientIdentity {
  wsUrl: string;
  clients: number;
  callsPerClient: number;
  model: string;
  /** A call without an answer after this long counts as lost. */
  callTimeoutMs: number;
  /** Called about once a second while calls run. */
  onProgress?: (settled: number, planned: number) => void;
}

/** What a burst came to. */
export interface BurstResult {
  clients: number;
  connected: number;
  /** Connections the daemon refused, by `http <status> <code>`. */
  refusedConnections: Map<string, number>;
  /** Connections that failed otherwise (not a clear refusal). */
  failedConnections: Map<string, number>;
  callsPlanned: number;
  /** Calls sent: each settled exactly once (answer, close or client timeout). */
  callsSent: number;
  tally: OutcomeTally;
  /** Latency of calls answered with a result. */
  ok: LatencySummary;
  /** Latency of every answered call (results and errors). */
  answered: LatencySummary;
  wallMs: number;
  okPerSecond: number;
  /** Requests still pending on any client at the end (must be 0: every request id settled). */
  unsettled: number;
}

/**
 * `clients` MCP clients over WebSocket, connected in batches of 100, then each making
 * `callsPerClient` `chat` calls one after another, all clients at once. Every call is classified
 * (result, clear capacity refusal, other clear error, unexplained, lost); calls of a client whose
 * connection was refused are not sent and are reported with the refusal.
 */
export async function runBurst(options: BurstOptions): Promise<BurstResult> {
  const refusedConnections = new Map<string, number>();
  const failedConnections = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);
  const clients: Array<{ index: number; client: McpWsClient }> = [];
  for (let start = 0; start < options.clients; start += 100) {
    const batch = Array.from({ length: Math.min(100, options.clients - start) }, (_, offset) => start + offset);
    await Promise.all(
      batch.map(async (index) => {
        try {
          const token = options.token(index);
          const localAddress = options.localAddress(index);
          const client = await McpWsClient.connect(options.wsUrl, { ...(token ? { token } : {}), ...(localAddress ? { localAddress } : {}), clientName: `soak-${index}` });
          clients.push({ index, client });
        } catch (error) {
          if (error instanceof UpgradeRefusedError) bump(refusedConnections, `http ${error.status} ${error.code ?? 'no code'}`);
          else bump(failedConnections, (error as Error).message.slice(0, 120));
        }
      }),
    );
  }
  const tally = new OutcomeTally();
  for (const [label, count] of refusedConnections) tally.addLabel(`not sent: connection refused (${label})`, count * options.callsPerClient);
  for (const [label, count] of failedConnections) tally.addLabel(`not sent: connection failed (${label})`, count * options.callsPerClient);

  const okDurations: number[] = [];
  const answeredDurations: number[] = [];
  let sent = 0;
  let settled = 0;
  const planned = options.clients * options.callsPerClient;
  const ticker = options.onProgress ? setInterval(() => options.onProgress?.(settled, planned), 1000) : undefined;
  const started = performance.now();
  await Promise.all(
    clients.map(async ({ index, client }) => {
      for (let call = 0; call < options.callsPerClient; call++) {
        sent++;
        const outcome = await client.callTool('chat', { prompt: `soak client ${index} call ${call}`, model: options.model }, { timeoutMs: options.callTimeoutMs });
        settled++;
        const classified = classifyCall(outcome);
        tally.add(classified);
        if (outcome.kind === 'answer') answeredDurations.push(outcome.elapsedMs);
        if (classified.class === 'ok') okDurations.push(outcome.elapsedMs);
      }
    }),
  );
  const wallMs = performance.now() - started;
  clearInterval(ticker);
  const unsettled = clients.reduce((sum, { client }) => sum + client.pendingCount, 0);
  await Promise.all(clients.map(({ client }) => client.close()));
  return {
    clients: options.clients,
    connected: clients.length,
    refusedConnections,
    failedConnections,
    callsPlanned: planned,
    callsSent: sent,
    tally,
    ok: summarizeLatencies(okDurations),
    answered: summarizeLatencies(answeredDurations),
    wallMs,
    okPerSecond: (okDurations.length * 1000) / wallMs,
    unsettled,
  };
}
