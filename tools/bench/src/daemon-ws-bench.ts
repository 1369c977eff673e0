import { percentile, rssMiB, spawnSimulator } from '@exai/harness';
import { WebSocket } from 'ws';
import { benchDaemonEnv, spawnBenchDaemon, type DaemonProcess } from './spawn-daemon-process.js';

/** One run: `clients` WebSocket clients, each making `callsPerClient` chat calls one after another. */
export interface DaemonWsRow {
  latencyMs: number;
  clients: number;
  calls: number;
  errors: number;
  wallMs: number;
  callsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** Idle memory of the daemon with open MCP WebSocket connections. */
export interface IdleMemory {
  connections: number;
  baselineRssMiB: number;
  withConnectionsRssMiB: number;
  perConnectionKiB: number;
}

/** What the daemon bench measures. */
export interface DaemonWsResult {
  rows: DaemonWsRow[];
  idle: IdleMemory;
}

/**
 * MCP over WebSocket through the built exai-daemon (a child process) against the simulator (another
 * child process): throughput and latency percentiles of `chat` with 100 and 1,000 concurrent clients at
 * 0 and 50 ms of provider latency, limits raised for the run; then idle memory with 1,000 open
 * connections. Clients are raw `ws` sockets speaking JSON-RPC, so the client side costs little.
 */
export async function runDaemonWsBench(options: { clientCounts: number[]; latencies: number[]; callsPerClient: number; idleConnections: number }): Promise<DaemonWsResult> {
  const rows: DaemonWsRow[] = [];
  let idle: IdleMemory | undefined;
  for (const latencyMs of options.latencies) {
    const sim = await spawnSimulator({ latencyMs });
    const daemon = await spawnDaemon(sim);
    try {
      for (const clients of options.clientCounts) rows.push(await runLoad(daemon.wsUrl, latencyMs, clients, options.callsPerClient));
    } finally {
      await daemon.stop();
      await sim.stop();
    }
  }
  {
    const sim = await spawnSimulator({ latencyMs: 0 });
    const daemon = await spawnDaemon(sim);
    try {
      await settle();
      const baseline = rssMiB(daemon.pid);
      const sockets = await openClients(daemon.wsUrl, options.idleConnections);
      await settle();
      const loaded = rssMiB(daemon.pid);
      idle = { connections: sockets.length, baselineRssMiB: baseline, withConnectionsRssMiB: loaded, perConnectionKiB: ((loaded - baseline) * 1024) / sockets.length };
      for (const socket of sockets) socket.terminate();
    } finally {
      await daemon.stop();
      await sim.stop();
    }
  }
  return { rows, idle };
}

/** The daemon against the simulator for this bench: anonymous callers (loopback), log level `error`. */
function spawnDaemon(sim: { glmBaseURL: string; kimiBaseURL: string }): Promise<DaemonProcess> {
  return spawnBenchDaemon((place) => ({ ...benchDaemonEnv(sim, place), EXAI_ALLOW_ANONYMOUS: 'true', LOG_LEVEL: 'error' }));
}

/** A minimal MCP client over one WebSocket: JSON-RPC requests with their answers matched by id. */
class McpSocket {
  #next = 1;
  readonly #waiting = new Map<number, (message: { result?: unknown; error?: unknown }) => void>();

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown };
      if (message.id !== undefined) {
        this.#waiting.get(message.id)?.(message);
        this.#waiting.delete(message.id);
      }
    });
  }

  request(method: string, params: unknown): Promise<{ result?: unknown; error?: unknown }> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  notify(method: string): void {
    this.socket.send(JSON.stringify({ jsonrpc: '2.0', method }));
  }
}

async function connect(url: string): Promise<McpSocket> {
  const socket = new WebSocket(url, 'mcp', { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const client = new McpSocket(socket);
  const init = await client.request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'exai-bench', version: '1' } });
  if (init.error) throw new Error(`initialize failed: ${JSON.stringify(init.error)}`);
  client.notify('notifications/initialized');
  return client;
}

async function openClients(url: string, count: number): Promise<WebSocket[]> {
  const clients: McpSocket[] = [];
  // Connect in batches so the handshakes do not all land in the same millisecond.
  for (let index = 0; index < count; index += 100) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(100, count - index) }, () => connect(url)))));
  }
  return clients.map((client) => client.socket);
}

async function runLoad(url: string, latencyMs: number, clients: number, callsPerClient: number): Promise<DaemonWsRow> {
  const sockets: McpSocket[] = [];
  for (let index = 0; index < clients; index += 100) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, clients - index) }, () => connect(url)))));
  }
  // Warm-up: one call per client.
  await Promise.all(sockets.map((socket, index) => callChat(socket, `warm-up ${index}`)));
  const durations: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    sockets.map(async (socket, index) => {
      for (let call = 0; call < callsPerClient; call++) {
        const begin = performance.now();
        const ok = await callChat(socket, `client ${index} call ${call}`);
        durations.push(performance.now() - begin);
        if (!ok) errors++;
      }
    }),
  );
  const wallMs = performance.now() - started;
  for (const socket of sockets) socket.socket.terminate();
  durations.sort((a, b) => a - b);
  return {
    latencyMs,
    clients,
    calls: durations.length,
    errors,
    wallMs,
    callsPerSecond: (durations.length * 1000) / wallMs,
    p50Ms: percentile(durations, 0.5),
    p95Ms: percentile(durations, 0.95),
    p99Ms: percentile(durations, 0.99),
  };
}

async function callChat(socket: McpSocket, prompt: string): Promise<boolean> {
  const answer = await socket.request('tools/call', { name: 'chat', arguments: { prompt, model: 'glm-4.5-flash' } });
  return answer.error === undefined && (answer.result as { isError?: boolean } | undefined)?.isError !== true;
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1500));
}
