import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema, ToolListChangedNotificationSchema, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { loadDaemonConfig } from '../daemon-config.js';
import { startTestDaemon, TEST_STATIC_TOKEN, type TestDaemon } from '../test-support/daemon-harness.js';
import { registerConformanceFixtures } from './register-conformance-fixtures.js';

/** A client connected in memory to a server with only the fixtures (and logging, as exai's server has). */
async function connect(capabilities: ConstructorParameters<typeof Client>[1] = {}): Promise<Client> {
  const server = new McpServer({ name: 'fixtures', version: '1.0.0' }, { capabilities: { logging: {} } });
  registerConformanceFixtures(server);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'fixtures-spec', version: '1.0.0' }, capabilities);
  await client.connect(clientSide);
  return client;
}

const textOf = (result: unknown): string => ((result as { content: Array<{ text?: string }> }).content[0]?.text ?? '');

describe('registerConformanceFixtures', () => {
  it('declares subscriptions and completions, and completes arg1 of test_prompt_with_arguments', async () => {
    const client = await connect();
    expect(client.getServerCapabilities()).toMatchObject({ resources: { subscribe: true }, completions: {}, prompts: {}, tools: {}, logging: {} });
    const completion = await client.complete({ ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' }, argument: { name: 'arg1', value: 'par' } });
    expect(completion.completion.values).toEqual(['paris', 'park', 'party']);
    expect(await client.subscribeResource({ uri: 'test://watched-resource' })).toEqual({});
    const template = await client.readResource({ uri: 'test://template/7/data' });
    expect(JSON.parse((template.contents[0] as { text: string }).text)).toEqual({ id: '7', templateTest: true, data: 'Data for ID: 7' });
    await client.close();
  });

  it('sends log messages only at or above the level the client set', async () => {
    const client = await connect();
    const levels: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => void levels.push(notification.params.level));
    await client.setLoggingLevel('warning');
    await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
    expect(levels).toEqual([]);
    await client.setLoggingLevel('debug');
    await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
    expect(levels).toEqual(['info', 'info', 'info']);
    await client.close();
  });

  it('reports progress only when the request carries a progress token', async () => {
    const client = await connect();
    const progress: Progress[] = [];
    await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined, { onprogress: (update) => progress.push(update) });
    expect(progress.map((update) => update.progress)).toEqual([0, 50, 100]);
    expect(textOf(await client.callTool({ name: 'test_tool_with_progress', arguments: {} }))).toContain('no progress token');
    await client.close();
  });

  it('fails sampling and elicitation as tool errors when the client lacks the capability, and uses them when it has it', async () => {
    const bare = await connect();
    expect(await bare.callTool({ name: 'test_sampling', arguments: { prompt: 'hi' } })).toMatchObject({ isError: true });
    expect(await bare.callTool({ name: 'test_elicitation', arguments: { message: 'who?' } })).toMatchObject({ isError: true });
    await bare.close();

    const able = await connect({ capabilities: { sampling: {}, elicitation: {} } });
    able.setRequestHandler(CreateMessageRequestSchema, () => ({ role: 'assistant', content: { type: 'text', text: 'sampled' }, model: 'spec', stopReason: 'endTurn' }));
    able.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { username: 'ada', email: 'ada@example.com' } }));
    expect(textOf(await able.callTool({ name: 'test_sampling', arguments: { prompt: 'hi' } }))).toBe('LLM response: sampled');
    expect(textOf(await able.callTool({ name: 'test_elicitation', arguments: { message: 'who?' } }))).toContain('action=accept');
    await able.close();
  });

  it('adds and removes test_dynamic_tool_added, telling the client the list changed', async () => {
    const client = await connect();
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    const names = async (): Promise<string[]> => (await client.listTools()).tools.map((tool) => tool.name);
    expect(await names()).not.toContain('test_dynamic_tool_added');
    await client.callTool({ name: 'test_dynamic_tool', arguments: {} });
    expect(await names()).toContain('test_dynamic_tool_added');
    await client.callTool({ name: 'test_dynamic_tool', arguments: {} });
    expect(await names()).not.toContain('test_dynamic_tool_added');
    expect(changes).toBe(2);
    await client.close();
  });
});

describe('EXAI_CONFORMANCE_FIXTURES', () => {
  let test: TestDaemon | undefined;
  afterEach(async () => {
    await test?.close();
    test = undefined;
  });

  it('is off unless set', () => {
    const config = (env: Record<string, string>) => loadDaemonConfig({ EXAI_STORAGE: 'memory', EXAI_ALLOW_ANONYMOUS: 'true', ...env }, mkdtempSync(join(tmpdir(), 'exai-fixtures-')));
    expect(config({}).conformanceFixtures).toBe(false);
    expect(config({ EXAI_CONFORMANCE_FIXTURES: 'true' }).conformanceFixtures).toBe(true);
  });

  it.each([
    ['true', true],
    ['false', false],
  ])('=%s: a /mcp session lists the fixtures next to exai’s tools: %s', async (value, listed) => {
    test = await startTestDaemon({ EXAI_CONFORMANCE_FIXTURES: value });
    const client = new Client({ name: 'fixtures-spec', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${test.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${TEST_STATIC_TOKEN}` } } }));
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('chat');
    expect(names.includes('test_simple_text')).toBe(listed);
    expect((await client.listPrompts().catch(() => ({ prompts: [] }))).prompts.some((prompt) => prompt.name === 'test_simple_prompt')).toBe(listed);
    await client.close();
  });
});
