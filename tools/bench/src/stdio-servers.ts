import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulatorProviderEnv } from '@exai/harness';

/** How to start one stdio MCP server: `node <args>` in `cwd` with `env`. */
export interface StdioServerCommand {
  name: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

const stdioBin = fileURLToPath(new URL('../../../apps/stdio/bin/exai-stdio.js', import.meta.url));
const minimalServerPath = fileURLToPath(new URL('./minimal-mcp-server.js', import.meta.url));
const bareServerPath = fileURLToPath(new URL('./bare-mcp-server.js', import.meta.url));

const baseEnv = (): Record<string, string> => ({ PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? tmpdir() });
const scratch = (): string => mkdtempSync(join(tmpdir(), 'exai-bench-stdio-'));

/**
 * The built `exai-stdio` as a user runs it (`apps/stdio/bin/exai-stdio.js`: the one-file bundle, with
 * Node's compile cache, which the first, unmeasured start fills), with memory storage (no
 * database to open), its shipped log level (`info`, to stderr), both providers pointed at the
 * simulator, in an empty working directory (no `.env`).
 */
export function exaiStdio(sim: { glmBaseURL: string; kimiBaseURL: string }, extra: Record<string, string> = {}): StdioServerCommand {
  const cwd = scratch();
  return {
    name: 'exai-stdio',
    args: [stdioBin],
    cwd,
    env: {
      ...baseEnv(),
      ...simulatorProviderEnv(sim, 'bench'),
      EXAI_STORAGE: 'memory',
      EXAI_DATA_DIR: join(cwd, 'data'),
      ...extra,
    },
  };
}

/** The minimal MCP SDK server with one `chat` tool calling the simulator's GLM API with the openai SDK. */
export function minimalChatServer(sim: { glmBaseURL: string }): StdioServerCommand {
  return { name: 'minimal MCP SDK server (1 chat tool, openai SDK)', args: [minimalServerPath], cwd: scratch(), env: { ...baseEnv(), BENCH_BASE_URL: sim.glmBaseURL, BENCH_API_KEY: 'bench-glm-key' } };
}

/** A bare MCP SDK server: no tools, or one trivial `echo` tool. */
export function bareServer(options: { oneTool: boolean }): StdioServerCommand {
  return {
    name: options.oneTool ? 'bare MCP SDK server (1 echo tool)' : 'bare MCP SDK server (no tools)',
    args: [bareServerPath],
    cwd: scratch(),
    env: { ...baseEnv(), ...(options.oneTool ? { BENCH_TOOLS: '1' } : {}) },
  };
}
