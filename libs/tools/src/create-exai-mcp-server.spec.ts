import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { QuotaExhaustedError } from '@exai/router/spec';
import { createExaiMcpServer } from './create-exai-mcp-server.js';
import { FakeRouter } from './test-support/fake-router.js';
import { fakeServerOptions } from './test-support/tool-harness.js';

type Structured = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let router: FakeRouter;
let client: Client;

beforeEach(async () => {
  router = new FakeRouter();
  const server = createExaiMcpServer(fakeServerOptions({ router, limits: { promptMaxChars: 100 }, tools: { profile: 'lean' } }));
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientTransport);
});

afterEach(async () => client.close());

const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult;
const text = (result: CallToolResult) => (result.content[0]?.type === 'text' ? result.content[0].text : '');

describe('createExaiMcpServer', () => {
  it('serves the lean profile: the everyday tools, small, each with a title, annotations and an output schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['chat', 'listmodels', 'version', 'status', 'threads', 'thinkdeep', 'debug', 'codereview']);
    expect(JSON.stringify(tools).length / 4).toBeLessThan(4000);
    for (const tool of tools) {
      expect(tool.title).toBeTruthy();
      expect(tool.annotations?.readOnlyHint).toBe(tool.name !== 'threads');
      expect(tool.outputSchema).toBeDefined();
    }
  });

  it('chat returns the answer with structured metadata and a continuation id', async () => {
    const result = await call('chat', { prompt: 'hello' });
    const output = result.structuredContent as Structured;
    expect(output.status).toBe('ok');
    expect(output.content).toBe('echo: hello');
    expect(output.metadata).toMatchObject({ model: 'fake-model', provider: 'fake', tokens: { input: 10, output: 5 }, streamed: false });
    expect(output.metadata.routing).toMatchObject({ mode: 'auto', chain: ['fake-model'], attempts: [{ model: 'fake-model', outcome: 'success' }] });
    expect(output.metadata.cost_usd).toBeCloseTo((10 * 1 + 5 * 2) / 1e6);
    expect(text(result)).toContain('echo: hello');
    expect(text(result)).toContain(`continuation_id: ${output.continuation_id}`);
    expect(router.calls[0]?.signal).toBeInstanceOf(AbortSignal);
  });

  it('chat maps arguments to the request: temperature, thinking, web search', async () => {
    await call('chat', { prompt: 'x', temperature: 0.2, thinking_mode: 'high', use_websearch: true });
    expect(router.calls[0]?.call.request).toMatchObject({ temperature: 0.2, thinking: { enabled: true, level: 'high' }, webSearch: { enabled: true } });
    await call('chat', { prompt: 'x', thinking_mode: 'off' });
    expect(router.calls[1]?.call.request.thinking).toEqual({ enabled: false });
    expect(router.calls[1]?.call.request.webSearch).toBeUndefined();
  });

  it('chat streams as progress notifications when asked', async () => {
    const messages: string[] = [];
    const result = (await client.callTool({ name: 'chat', arguments: { prompt: 'one two three' } }, undefined, {
      onprogress: (progress) => messages.push(progress.message ?? ''),
    })) as CallToolResult;
    expect(router.calls[0]?.kind).toBe('stream');
    expect(messages.join('')).toBe('echo: one two three');
    expect((result.structuredContent as Structured).metadata.streamed).toBe(true);
  });

  it('chat replays a continuation and refuses an unknown one', async () => {
    const first = (await call('chat', { prompt: 'first' })).structuredContent as Structured;
    await call('chat', { prompt: 'second', continuation_id: first.continuation_id });
    const messages = router.calls[1]?.call.request.messages ?? [];
    expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[2]?.content).toBe('echo: first');
    const unknown = await call('chat', { prompt: 'x', continuation_id: 'nope' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toContain('[invalid_argument]');
  });

  it('chat turns router errors into tool errors with the stable code', async () => {
    router.failWith = new QuotaExhaustedError({ message: 'GLM balance is exhausted', provider: 'fake', vendorCode: '1113' });
    const result = await call('chat', { prompt: 'x' });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('GLM balance is exhausted [quota_exhausted]');
    const unknown = await call('chat', { prompt: 'x', model: 'gpt-9' });
    expect(text(unknown)).toContain('available: fake-model, fake-vision');
  });

  it('chat asks for a file when the prompt is too long, without calling a model', async () => {
    const result = await call('chat', { prompt: 'x'.repeat(101) });
    expect((result.structuredContent as Structured).status).toBe('resend_prompt');
    expect(router.calls).toHaveLength(0);
  });

  it('chat rejects invalid arguments naming the field', async () => {
    const result = await call('chat', { prompt: 'x', temperature: 3 });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('temperature');
    const missing = await call('chat', {});
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain('prompt');
  });

  it('chat stops at the tool time limit and says which setting to raise', async () => {
    const timed = createExaiMcpServer(fakeServerOptions({ router, providers: [], limits: { toolTimeoutMs: 50 } }));
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await timed.connect(serverTransport);
    const timedClient = new Client({ name: 'test', version: '1.0.0' });
    await timedClient.connect(clientTransport);
    router.hang = true;
    const result = (await timedClient.callTool({ name: 'chat', arguments: { prompt: 'slow' } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('did not finish within 50 ms (EXAI_TOOL_TIMEOUT_MS)');
    expect(text(result)).toContain('[tool_timeout]');
    expect(router.calls[0]?.signal?.aborted).toBe(true);
    await timedClient.close();
  });

  it('tells the host observer when each call starts and how it ended, and survives an observer that throws', async () => {
    const events: string[] = [];
    const observed = createExaiMcpServer(
      fakeServerOptions({
        router,
        observer: {
          started: (tool) => events.push(`start ${tool}`),
          finished: (event) => {
            events.push(`end ${event.tool} ${event.status} ${event.errorCode ?? '-'} ${event.metadata?.model ?? '-'}`);
            throw new Error('observer bug');
          },
        },
      }),
    );
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await observed.connect(serverTransport);
    const observedClient = new Client({ name: 'test', version: '1.0.0' });
    await observedClient.connect(clientTransport);
    const ok = (await observedClient.callTool({ name: 'chat', arguments: { prompt: 'hi' } })) as CallToolResult;
    expect(ok.isError).toBeFalsy();
    await observedClient.callTool({ name: 'chat', arguments: { prompt: 'hi', continuation_id: 'missing' } });
    expect(events).toEqual(['start chat', 'end chat success - fake-model', 'start chat', 'end chat error invalid_argument -']);
    await observedClient.close();
  });

  it('listmodels and version describe the setup', async () => {
    const models = (await call('listmodels')).structuredContent as Structured;
    expect(models.providers[0].models.map((model: Structured) => model.id)).toEqual(['fake-model', 'fake-vision']);
    const version = (await call('version')).structuredContent as Structured;
    expect(version).toMatchObject({ name: 'exai', version: '9.9.9', transport: 'memory' });
    expect(version.tools).toEqual(['chat', 'listmodels', 'version', 'status', 'threads', 'thinkdeep', 'debug', 'codereview']);
  });
});
