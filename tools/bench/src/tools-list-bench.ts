import { initializeParams, StdioJsonRpc } from './stdio-json-rpc.js';
import { exaiStdio } from './stdio-servers.js';

/** The `tools/list` answer of one profile. */
export interface ToolsListRow {
  profile: 'lean' | 'standard' | 'full';
  tools: number;
  characters: number;
  /** Characters of the JSON / 4, as Zen's 30–40k figure counts. */
  tokens: number;
}

/** `tools/list` of the built exai-stdio under each `TOOL_PROFILE`: the JSON of the whole answer's `result`. */
export async function runToolsListBench(sim: { glmBaseURL: string; kimiBaseURL: string }): Promise<ToolsListRow[]> {
  const rows: ToolsListRow[] = [];
  for (const profile of ['lean', 'standard', 'full'] as const) {
    const command = exaiStdio(sim, { TOOL_PROFILE: profile, LOG_LEVEL: 'error' });
    const server = StdioJsonRpc.spawn({ args: command.args, env: command.env, cwd: command.cwd });
    try {
      const init = await server.request('initialize', initializeParams);
      if (init.error) throw new Error(`initialize failed: ${JSON.stringify(init.error)} ${server.stderr}`);
      server.notify('notifications/initialized');
      const listed = await server.request('tools/list', {});
      if (listed.error) throw new Error(`tools/list failed: ${JSON.stringify(listed.error)}`);
      const characters = JSON.stringify(listed.result).length;
      rows.push({ profile, tools: (listed.result as { tools: unknown[] }).tools.length, characters, tokens: Math.ceil(characters / 4) });
    } finally {
      await server.close();
    }
  }
  return rows;
}
