import { cpuMs, percentile, rssMiB, spawnSimulator } from '@exai/harness';
import { initializeParams, StdioJsonRpc } from './stdio-json-rpc.js';
import { bareServer, exaiStdio, minimalChatServer, type StdioServerCommand } from './stdio-servers.js';

/** Startup and idle memory of one stdio MCP server. */
export interface StartupRow {
  name: string;
  runs: number;
  /** Median time from spawn to the `initialize` answer, in ms. */
  startupMs: number;
  minStartupMs: number;
  maxStartupMs: number;
  /** Median CPU time (user + system, all threads) the process had used when it answered `initialize`, in ms. */
  startupCpuMs: number;
  /** Median RSS after initialize + tools/list, settled, in MiB. */
  idleRssMiB: number;
}

const median = (values: readonly number[]): number => percentile([...values].sort((a, b) => a - b), 0.5);

/** One cold start: spawn → `initialize` answered; then `tools/list`, settle, RSS. */
async function startOnce(command: StdioServerCommand, settleMs: number): Promise<{ startupMs: number; cpuMs: number; rssMiB: number }> {
  const started = performance.now();
  const server = StdioJsonRpc.spawn({ args: command.args, env: command.env, cwd: command.cwd });
  try {
    const init = await server.request('initialize', initializeParams);
    const startupMs = performance.now() - started;
    const startupCpuMs = cpuMs(server.pid);
    if (init.error) throw new Error(`${command.name}: initialize failed: ${JSON.stringify(init.error)} ${server.stderr}`);
    server.notify('notifications/initialized');
    await server.request('tools/list', {});
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return { startupMs, cpuMs: startupCpuMs, rssMiB: rssMiB(server.pid) };
  } finally {
    await server.close();
  }
}

/**
 * Cold starts of exai-stdio (memory storage), the minimal chat server and the bare MCP SDK server
 * (no tools; one tool), interleaved run by run: time from spawn to the `initialize` answer (the
 * request is written at once, as MCP clients do), and RSS once `tools/list` was answered and the
 * process settled.
 */
export async function runStartupBench(options: { runs: number; settleMs: number }): Promise<StartupRow[]> {
  const sim = await spawnSimulator({ latencyMs: 0 });
  try {
    const commands = [bareServer({ oneTool: false }), bareServer({ oneTool: true }), minimalChatServer(sim), exaiStdio(sim)];
    // One unmeasured start each: the first start of a file pays for the disk cache.
    for (const command of commands) await startOnce(command, 0);
    const samples = commands.map(() => ({ startup: new Array<number>(), cpu: new Array<number>(), rss: new Array<number>() }));
    for (let run = 0; run < options.runs; run++) {
      for (let offset = 0; offset < commands.length; offset++) {
        const index = (run + offset) % commands.length;
        const measured = await startOnce(commands[index] as StdioServerCommand, options.settleMs);
        samples[index]?.startup.push(measured.startupMs);
        samples[index]?.cpu.push(measured.cpuMs);
        samples[index]?.rss.push(measured.rssMiB);
      }
    }
    return commands.map((command, index) => {
      const sample = samples[index] as { startup: number[]; cpu: number[]; rss: number[] };
      return {
        name: command.name,
        runs: sample.startup.length,
        startupMs: median(sample.startup),
        minStartupMs: Math.min(...sample.startup),
        maxStartupMs: Math.max(...sample.startup),
        startupCpuMs: median(sample.cpu),
        idleRssMiB: median(sample.rss),
      };
    });
  } finally {
    await sim.stop();
  }
}
