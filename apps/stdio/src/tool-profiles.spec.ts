// tools/list per TOOL_PROFILE over stdio, the ENABLED_TOOLS / DISABLED_TOOLS adjustments, and tool
// names with the suffixes some clients add (zen-lineage §6: schemas costing 30–40k tokens were Zen's
// most voiced complaint).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startSimulator, type Simulator } from '@exai/provider-sim';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startStdio, textOf, type StdioSession } from './test-support/stdio-harness.js';

type Structured = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const lean = ['chat', 'codereview', 'debug', 'listmodels', 'status', 'thinkdeep', 'threads', 'version'];
const standard = [
  ...lean,
  'activity',
  'challenge',
  'consensus',
  'glm_web_search',
  'kimi_chat_with_files',
  'kimi_upload_files',
  'planner',
  'precommit',
  'provider_capabilities',
  'smart_file_download',
  'smart_file_query',
];
const full = [
  ...standard,
  'analyze',
  'docgen',
  'glm_payload_preview',
  'kimi_chat_with_tools',
  'kimi_intent_analysis',
  'kimi_manage_files',
  'refactor',
  'secaudit',
  'testgen',
  'tracer',
];
const workflowTools = ['thinkdeep', 'planner', 'consensus', 'codereview', 'precommit', 'debug', 'secaudit', 'docgen', 'analyze', 'refactor', 'tracer', 'testgen'];

let sim: Simulator;
const sessions: Record<string, StdioSession> = {};

function serverEnv(extra: Record<string, string>): Record<string, string> {
  return { GLM_API_KEY: 'sim-glm-key', GLM_BASE_URL: sim.glmBaseURL, KIMI_API_KEY: 'sim-kimi-key', KIMI_BASE_URL: sim.kimiBaseURL, ...extra };
}

/** The `msg` of every JSON log line on stderr at level warn. */
function warnings(session: StdioSession): string[] {
  return session
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Structured)
    .filter((entry) => entry.level === 40)
    .map((entry) => String(entry.msg));
}

const sortedNames = async (session: StdioSession): Promise<string[]> => (await session.client.listTools()).tools.map((tool) => tool.name).sort();

beforeAll(async () => {
  sim = await startSimulator();
  // The processes start side by side: one per configuration.
  const configurations: Record<string, Record<string, string>> = {
    lean: { TOOL_PROFILE: 'lean' },
    standard: {},
    full: { TOOL_PROFILE: 'full' },
    adjusted: { TOOL_PROFILE: 'standard', ENABLED_TOOLS: 'analyze, tracer_EXAI-WS, nosuchtool', DISABLED_TOOLS: 'chat,planner,version' },
  };
  await Promise.all(
    Object.entries(configurations).map(async ([name, env]) => {
      sessions[name] = await startStdio(serverEnv(env));
    }),
  );
});

afterAll(async () => {
  await Promise.all(Object.values(sessions).map((session) => session.close()));
  await sim?.close();
});

beforeEach(() => sim.reset());

describe('8. tools/list per profile over stdio', () => {
  it.each([
    ['lean', lean],
    ['standard', standard],
    ['full', full],
  ] as const)('%s serves its tools', async (profile, expected) => {
    expect(await sortedNames(sessions[profile]!)).toEqual([...expected].sort());
  });

  it('full serves all 29 tools, the 12 workflow tools among them, in under 10,000 tokens', async () => {
    const { tools } = await sessions['full']!.client.listTools();
    expect(tools).toHaveLength(29);
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(workflowTools));
    const tokens = JSON.stringify(tools).length / 4;
    expect(tokens).toBeLessThan(10_000);
    // Smaller profiles cost less.
    const size = async (profile: string) => JSON.stringify((await sessions[profile]!.client.listTools()).tools).length;
    expect(await size('lean')).toBeLessThan(await size('standard'));
    expect(await size('standard')).toBeLessThan(await size('full'));
    for (const tool of tools) {
      expect(tool.title).toBeTruthy();
      expect(tool.annotations?.readOnlyHint).toBeDefined();
    }
  });

  it('every workflow tool of the full profile takes the step fields its schema requires', async () => {
    const { tools } = await sessions['full']!.client.listTools();
    for (const name of workflowTools.filter((tool) => tool !== 'consensus')) {
      const schema = tools.find((tool) => tool.name === name)!.inputSchema;
      expect({ name, required: schema.required }).toEqual({ name, required: expect.arrayContaining(['step', 'step_number', 'total_steps', 'next_step_required']) });
    }
    // Tools that call no model do not offer model fields.
    for (const name of ['planner', 'docgen', 'tracer']) {
      const properties = tools.find((tool) => tool.name === name)!.inputSchema.properties!;
      expect({ name, model: 'model' in properties, use_assistant_model: 'use_assistant_model' in properties }).toEqual({ name, model: false, use_assistant_model: false });
    }
    expect(tools.find((tool) => tool.name === 'consensus')!.inputSchema.required).toEqual(['step']);
  });

  it('ENABLED_TOOLS adds, DISABLED_TOOLS removes (never version or listmodels), and unknown names are warnings, not a crash', async () => {
    const adjusted = sessions['adjusted']!;
    const expected = [...standard.filter((name) => name !== 'chat' && name !== 'planner'), 'analyze', 'tracer'].sort();
    expect(await sortedNames(adjusted)).toEqual(expected);
    const logged = warnings(adjusted);
    expect(logged).toEqual(expect.arrayContaining([expect.stringContaining('ENABLED_TOOLS: unknown tool "nosuchtool" ignored'), 'DISABLED_TOOLS: version is always on']));
    expect(adjusted.stderr()).toContain('exai-stdio ready');
    // The server works: a tool call answers.
    const version = (await adjusted.client.callTool({ name: 'version', arguments: {} })) as CallToolResult;
    expect(version.isError).toBeFalsy();
    // A disabled tool is not callable.
    const chat = (await adjusted.client.callTool({ name: 'chat', arguments: { prompt: 'hi' } })) as CallToolResult;
    expect(chat.isError).toBe(true);
    expect(textOf(chat)).toContain('Tool chat not found');
  });

  it('resolves tool names with the suffixes clients add', async () => {
    const session = sessions['standard']!;
    const chat = (await session.client.callTool({ name: 'chat_EXAI-WS', arguments: { prompt: 'Suffixed hello', model: 'glm-4.5-flash' } })) as CallToolResult;
    expect(chat.isError).toBeFalsy();
    expect((chat.structuredContent as Structured).content).toContain('[glm-4.5-flash] You said: "Suffixed hello"');
    expect(sim.requests.filter((request) => request.path.endsWith('/chat/completions'))).toHaveLength(1);

    const args = { step: 'Why is it slow?', step_number: 1, total_steps: 2, next_step_required: true, findings: 'Started' };
    const thinkdeep = (await session.client.callTool({ name: 'thinkdeep-exai-ws', arguments: args })) as CallToolResult;
    expect(thinkdeep.isError).toBeFalsy();
    const output = thinkdeep.structuredContent as Structured;
    expect(output.status).toBe('pause_for_deep_thinking');
    expect(output.next_call.tool).toBe('thinkdeep');
    for (const name of ['VERSION', 'listmodels_exai', 'Debug-EXAI-WS']) {
      const result = (await session.client.callTool({ name, arguments: name.startsWith('Debug') ? args : {} })) as CallToolResult;
      expect({ name, error: result.isError ? textOf(result) : undefined }).toEqual({ name, error: undefined });
    }
    // A name that is not a tool with a suffix stays unknown.
    const unknown = (await session.client.callTool({ name: 'nosuchtool_EXAI-WS', arguments: {} })) as CallToolResult;
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('Tool nosuchtool_EXAI-WS not found');
  });
});
