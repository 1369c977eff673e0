import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawnSimulator } from '@exai/harness';
import { BENCH_MODEL } from './gateway-contenders.js';
import { roundLatency, runInterleavedRounds, type RoundLatency } from './interleaved-rounds.js';
import { exaiStdio, minimalChatServer, type StdioServerCommand } from './stdio-servers.js';

/** One server's `chat` latency end to end through the MCP SDK client over stdio. */
export interface StdioChatRow extends RoundLatency {
  name: string;
}

/** What the stdio comparison measured. */
export interface StdioChatResult {
  rows: StdioChatRow[];
  /** exai-stdio's p50 over the minimal server's p50. */
  ratio: number;
}

const PROMPT = 'Reply with a short sentence.';

/** Name of the row of exai-stdio with its default storage. */
export const DEFAULT_STORAGE_ROW = 'exai-stdio, default storage (PGlite on disk)';

async function connect(command: StdioServerCommand): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: command.args, env: command.env, cwd: command.cwd, stderr: 'ignore' });
  const client = new Client({ name: 'exai-bench', version: '1' });
  await client.connect(transport);
  // As MCP clients do: list the tools first (the SDK then validates results against their output schemas).
  await client.listTools();
  return client;
}

/**
 * `chat` end to end, MCP SDK client → stdio → server → simulator (zero latency, a child process):
 * the minimal MCP SDK server (one tool, one openai SDK call) against the built exai-stdio (memory
 * storage, as shipped otherwise; and with its default PGlite storage, for information), sequential
 * calls in interleaved rounds.
 */
export async function runStdioChatBench(options: { rounds: number; callsPerRound: number; warmup: number }): Promise<StdioChatResult> {
  const sim = await spawnSimulator({ latencyMs: 0 });
  const clients: Client[] = [];
  try {
    // exai-stdio with memory storage is the verdict's row (the minimal server keeps nothing either);
    // the third row is exai-stdio as a user starts it, with its default storage (PGlite on disk).
    const servers = [minimalChatServer(sim), exaiStdio(sim), { ...exaiStdio(sim, { EXAI_STORAGE: 'pglite' }), name: DEFAULT_STORAGE_ROW }];
    for (const server of servers) clients.push(await connect(server));
    const samples = await runInterleavedRounds(
      servers.map((server, index) => ({
        name: server.name,
        call: async () => {
          const result = await (clients[index] as Client).callTool({ name: 'chat', arguments: { prompt: PROMPT, model: BENCH_MODEL } });
          if (result.isError === true) throw new Error(`${server.name}: chat failed: ${JSON.stringify(result).slice(0, 300)}`);
        },
      })),
      options,
    );
    const rows = servers.map((server) => ({ name: server.name, ...roundLatency(samples.get(server.name) as number[][]) }));
    return { rows, ratio: (rows[1] as StdioChatRow).p50Ms / (rows[0] as StdioChatRow).p50Ms };
  } finally {
    for (const client of clients) await client.close().catch(() => undefined);
    await sim.stop();
  }
}
