import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startSimulator, type Simulator } from '@exai/provider-sim';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startStdio, textOf, type StdioSession } from './test-support/stdio-harness.js';

type Structured = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let sim: Simulator;
let session: StdioSession;
const dir = mkdtempSync(join(tmpdir(), 'exai-files-'));
// 1x1 transparent PNG.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

function lastBody(vendor: 'glm' | 'kimi', path = '/chat/completions'): Structured {
  const request = [...sim.requests].reverse().find((entry) => entry.vendor === vendor && entry.path.endsWith(path));
  if (!request) throw new Error(`no ${vendor} request to ${path}`);
  return request.body as Structured;
}

async function chat(args: Record<string, unknown>): Promise<CallToolResult> {
  return (await session.client.callTool({ name: 'chat', arguments: args })) as CallToolResult;
}

beforeAll(async () => {
  sim = await startSimulator();
  session = await startStdio({
    GLM_API_KEY: 'sim-glm-key',
    GLM_BASE_URL: sim.glmBaseURL,
    KIMI_API_KEY: 'sim-kimi-key',
    KIMI_BASE_URL: sim.kimiBaseURL,
    EXAI_RETRY_INITIAL_DELAY_MS: '10',
    EXAI_ALLOWED_ROOTS: dir,
  });
});

afterAll(async () => {
  await session?.close();
  await sim?.close();
});

beforeEach(() => sim.reset());

describe('exai-stdio over the MCP SDK client', () => {
  it('lists the standard profile with schemas and annotations', async () => {
    const { tools } = await session.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'activity',
      'challenge',
      'chat',
      'codereview',
      'consensus',
      'debug',
      'glm_web_search',
      'kimi_chat_with_files',
      'kimi_upload_files',
      'listmodels',
      'planner',
      'precommit',
      'provider_capabilities',
      'smart_file_download',
      'smart_file_query',
      'status',
      'thinkdeep',
      'threads',
      'version',
    ]);
    const chatTool = tools.find((tool) => tool.name === 'chat');
    expect(chatTool?.inputSchema.required).toEqual(['prompt']);
    expect(chatTool?.annotations?.readOnlyHint).toBe(true);
    expect(chatTool?.outputSchema).toBeDefined();
  });

  it('answers chat through a GLM model and reports model, tokens and cost', async () => {
    const result = await chat({ prompt: 'What is a monad?', model: 'glm-4.5-flash' });
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as Structured;
    expect(output.status).toBe('ok');
    expect(output.content).toContain('[glm-4.5-flash] You said: "What is a monad?"');
    expect(output.metadata.provider).toBe('glm');
    expect(output.metadata.tokens.input).toBeGreaterThan(0);
    expect(output.metadata.streamed).toBe(false);
    expect(typeof output.continuation_id).toBe('string');
    const body = lastBody('glm');
    expect(body.model).toBe('glm-4.5-flash');
    expect(body.stream).toBeFalsy();
    expect(body.messages[0].role).toBe('system');
    expect(sim.requests[0]?.headers['authorization']).toBe('Bearer sim-glm-key');
  });

  it('streams a Kimi answer as progress notifications when the client sends a progress token', async () => {
    const progress: Array<{ progress: number; message?: string }> = [];
    // 40 ms between chunks, so several 100 ms progress batches go out while the answer streams.
    const prompt = 'Explain CRDTs briefly, in a long answer [[sim:latency:40]] [[sim:long:60]]';
    const result = (await session.client.callTool({ name: 'chat', arguments: { prompt, model: 'kimi-k2-0905-preview' } }, undefined, {
      onprogress: (notification) => progress.push(notification),
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as Structured;
    expect(output.metadata.streamed).toBe(true);
    expect(output.metadata.provider).toBe('kimi');
    expect(progress.length).toBeGreaterThan(1);
    // The SDK client handles notifications a microtask late, so one arriving in the same read as the
    // result can be dropped on the client side; what did arrive is the answer's beginning, in order.
    const streamed = progress.map((entry) => entry.message ?? '').join('');
    expect(streamed.length).toBeGreaterThan(0);
    expect(output.content.startsWith(streamed)).toBe(true);
    for (let index = 1; index < progress.length; index++) expect(progress[index]!.progress).toBeGreaterThan(progress[index - 1]!.progress);
    expect(lastBody('kimi').stream).toBe(true);
    expect(typeof lastBody('kimi').max_tokens).toBe('number');
  });

  it.each([
    ['glm-4.6', 'glm', false],
    ['glm-4.6', 'glm', true],
    ['kimi-k2-0905-preview', 'kimi', false],
    ['kimi-k2-0905-preview', 'kimi', true],
  ] as const)('answers with %s (%s), streamed: %s', async (model, vendor, streamed) => {
    const result = (await session.client.callTool(
      { name: 'chat', arguments: { prompt: 'Name one sorting algorithm', model } },
      undefined,
      streamed ? { onprogress: () => undefined } : {},
    )) as CallToolResult;
    const output = result.structuredContent as Structured;
    expect(output.content).toBe(`[${model}] You said: "Name one sorting algorithm" (messages: 2, system: 1, images: 0, tools: 0)`);
    expect(output.metadata).toMatchObject({ model, provider: vendor, streamed, finish_reason: 'stop' });
    expect(output.metadata.tokens.output).toBeGreaterThan(0);
    // Progress delivery itself is asserted with simulated latency below (at zero latency the SDK
    // client may handle the only notification after the result).
    expect(Boolean(lastBody(vendor).stream)).toBe(streamed);
  });

  it('streams a GLM web search answer with its sources', async () => {
    const result = (await session.client.callTool({ name: 'chat', arguments: { prompt: 'release notes', model: 'glm-4.5', use_websearch: true } }, undefined, {
      onprogress: () => undefined,
    })) as CallToolResult;
    const output = result.structuredContent as Structured;
    expect(output.metadata.streamed).toBe(true);
    expect(output.web_search_results.length).toBeGreaterThan(0);
    expect(output.content).toContain('[ref_1]');
  });

  it('returns the reasoning of a Kimi thinking model', async () => {
    const result = await chat({ prompt: 'Why is the sky blue?', model: 'kimi-k2-thinking' });
    const output = result.structuredContent as Structured;
    expect(output.reasoning).toContain('Thinking about');
    expect(lastBody('kimi').temperature).toBe(1);
  });

  it('searches the web with GLM and returns the sources', async () => {
    const result = await chat({ prompt: 'latest TypeScript release', model: 'glm-4.6', use_websearch: true });
    const output = result.structuredContent as Structured;
    expect(output.web_search_results.length).toBeGreaterThan(0);
    expect(output.metadata.web_search_calls).toBeGreaterThan(0);
    const tool = lastBody('glm').tools.find((entry: Structured) => entry.type === 'web_search');
    expect(tool.web_search.enable).toBe(true);
  });

  it('runs Kimi $web_search to the final answer, echoing the search arguments', async () => {
    const result = await chat({ prompt: 'news about Node 24', model: 'kimi-k2-0905-preview', use_websearch: true });
    expect(result.isError).toBeFalsy();
    const kimiChats = sim.requests.filter((entry) => entry.vendor === 'kimi' && entry.path.endsWith('/chat/completions'));
    expect(kimiChats).toHaveLength(2);
    const echo = (kimiChats[1]!.body as Structured).messages.at(-1);
    expect(echo.role).toBe('tool');
    expect(echo.name).toBe('$web_search');
    expect((result.structuredContent as Structured).metadata.web_search_calls).toBe(1);
  });

  it('passes thinking on and off and returns the reasoning', async () => {
    const thinking = await chat({ prompt: 'Prove it', model: 'glm-4.6', thinking_mode: 'high' });
    expect(lastBody('glm').thinking).toEqual({ type: 'enabled' });
    expect((thinking.structuredContent as Structured).reasoning).toContain('Thinking about');
    const plain = await chat({ prompt: 'Prove it', model: 'glm-4.6', thinking_mode: 'off' });
    expect(lastBody('glm').thinking).toEqual({ type: 'disabled' });
    expect((plain.structuredContent as Structured).reasoning).toBeUndefined();
  });

  it('sends an image to a vision model and refuses it for a model without vision', async () => {
    const image = join(dir, 'pixel.png');
    writeFileSync(image, png);
    const result = await chat({ prompt: 'What is in this image?', model: 'glm-4.5v', images: [image] });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as Structured).content).toContain('images: 1');
    const kimi = await chat({ prompt: 'Describe it', model: 'moonshot-v1-8k-vision-preview', images: [image] });
    expect((kimi.structuredContent as Structured).content).toContain('images: 1');
    const part = lastBody('kimi').messages.at(-1).content.find((entry: Structured) => entry.type === 'image_url');
    expect(part.image_url.url.startsWith('data:image/png;base64,')).toBe(true);
    const refused = await chat({ prompt: 'What is in this image?', model: 'glm-4.5-flash', images: [image] });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('glm-4.5v');
  });

  it('embeds files with line numbers and reports bad paths by name', async () => {
    const file = join(dir, 'sum.ts');
    writeFileSync(file, 'export function sum(a: number, b: number) {\n  return a + b;\n}\n');
    const result = await chat({ prompt: 'Review this', model: 'kimi-k2-turbo-preview', files: [file] });
    expect(result.isError).toBeFalsy();
    const user = lastBody('kimi').messages.at(-1);
    expect(user.content).toContain(`--- BEGIN FILE: ${file} (3 lines) ---`);
    expect(user.content).toContain('2│   return a + b;');

    const binary = join(dir, 'blob.bin');
    writeFileSync(binary, Buffer.from([0, 1, 2, 3]));
    const before = sim.requests.length;
    const bad = await chat({ prompt: 'Review', model: 'glm-4.5-flash', files: ['relative/path.ts', join(dir, 'missing.ts'), binary] });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain('relative/path.ts: not an absolute path');
    expect(textOf(bad)).toContain('missing.ts: no such file');
    expect(textOf(bad)).toContain('blob.bin: binary file');
    expect(sim.requests).toHaveLength(before);
  });

  it('replays the conversation for a continuation_id', async () => {
    const first = await chat({ prompt: 'My name is Ada.', model: 'glm-4.5-flash' });
    const id = (first.structuredContent as Structured).continuation_id;
    await chat({ prompt: 'What is my name?', model: 'glm-4.5-flash', continuation_id: id });
    const messages = lastBody('glm').messages;
    expect(messages.map((message: Structured) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[1].content).toBe('My name is Ada.');
    const unknown = await chat({ prompt: 'Hi', continuation_id: 'no-such-thread' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('continuation_id no-such-thread was not found');
  });

  it('embeds a file once when a continuation passes it again, and replays it once from the history', async () => {
    // The marker sits past the first 200 characters, so the simulator's echo of the prompt never repeats it.
    const file = join(dir, 'cache.ts');
    writeFileSync(file, `${'// padding line for the echo window\n'.repeat(8)}export const ttl = 'DEDUP-MARKER-42';\n`);
    const sent = (body: Structured) => JSON.stringify(body.messages).split('DEDUP-MARKER-42').length - 1;
    const first = await chat({ prompt: 'Is this TTL right?', model: 'glm-4.5-flash', files: [file] });
    expect(first.isError).toBeFalsy();
    expect(sent(lastBody('glm'))).toBe(1);
    const id = (first.structuredContent as Structured).continuation_id;

    const again = await chat({ prompt: 'Look at it again.', model: 'glm-4.5-flash', files: [file], continuation_id: id });
    expect(again.isError).toBeFalsy();
    const body = lastBody('glm');
    expect(body.messages.map((message: Structured) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(body.messages[1].content).toBe(`Is this TTL right?\n\n[files: ${file}]`);
    expect(sent(body)).toBe(1);
    expect(body.messages.at(-1).content).toContain('DEDUP-MARKER-42');

    // Across models and without the file: the history embeds it once.
    await chat({ prompt: 'Summarise what we looked at.', model: 'kimi-k2-turbo-preview', continuation_id: id });
    const kimi = lastBody('kimi');
    expect(sent(kimi)).toBe(1);
    expect(kimi.messages[1].content).toContain(`--- BEGIN FILE: ${file} (9 lines) ---`);
    expect(kimi.messages.at(-1).content).toBe('Summarise what we looked at.');
  });

  it('refuses files outside EXAI_ALLOWED_ROOTS, links leading out and secret stores, naming each', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'exai-elsewhere-'));
    writeFileSync(join(elsewhere, 'notes.md'), 'outside');
    symlinkSync(join(elsewhere, 'notes.md'), join(dir, 'notes-link.md'));
    writeFileSync(join(dir, '.env'), 'GLM_API_KEY=secret');
    const before = sim.requests.length;
    const result = await chat({ prompt: 'Read these', model: 'glm-4.5-flash', files: [join(elsewhere, 'notes.md'), join(dir, 'notes-link.md'), join(dir, '.env')] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('notes.md: outside the allowed folders');
    expect(textOf(result)).toContain(`notes-link.md: outside the allowed folders (it resolves to ${join(elsewhere, 'notes.md')})`);
    expect(textOf(result)).toContain('.env holds environment secrets');
    expect(textOf(result)).toContain('EXAI_ALLOWED_ROOTS');
    expect(sim.requests).toHaveLength(before);
  });

  it('cancels the upstream request when the client cancels the call', async () => {
    const controller = new AbortController();
    const call = session.client.callTool({ name: 'chat', arguments: { prompt: 'wait [[sim:hang]]', model: 'glm-4.5-flash' } }, undefined, {
      signal: controller.signal,
    });
    await sim.waitFor((entry) => entry.path.endsWith('/chat/completions'));
    controller.abort();
    await expect(call).rejects.toThrow();
    const aborted = await sim.waitFor((entry) => entry.aborted);
    expect(aborted.path).toContain('/chat/completions');
  });

  it('asks for a file instead of a prompt over 60,000 characters', async () => {
    const result = await chat({ prompt: 'x'.repeat(60_001) });
    const output = result.structuredContent as Structured;
    expect(output.status).toBe('resend_prompt');
    expect(output.content).toContain('60000');
    expect(sim.requests).toHaveLength(0);
  });

  it('names the field of an invalid argument', async () => {
    const result = await chat({ prompt: 'hi', temperature: 5 });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('temperature');
  });

  it('keeps stdout for MCP: logs go to stderr', async () => {
    await session.client.callTool({ name: 'version', arguments: {} });
    expect(session.stderr()).toContain('exai-stdio ready');
  });
});

describe('exai-stdio when every provider fails', () => {
  // Its own process: a quota error takes the key out of rotation for the rest of the process.
  let own: StdioSession;
  beforeAll(async () => {
    own = await startStdio({ GLM_API_KEY: 'sim-glm', GLM_BASE_URL: sim.glmBaseURL, KIMI_API_KEY: 'sim-kimi', KIMI_BASE_URL: sim.kimiBaseURL });
  });
  afterAll(async () => own?.close());

  it('returns a provider error as isError with the mapped message, without retrying quota errors', async () => {
    // Both vendors out of balance: nothing to fall back to.
    sim.addFault({ vendor: 'glm', fault: 'error:1113' });
    sim.setKimiBalance(0);
    const result = (await own.client.callTool({ name: 'chat', arguments: { prompt: 'hello', model: 'glm-4.5-flash' } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('[quota_exhausted]');
    expect(sim.requests.filter((entry) => entry.vendor === 'glm' && entry.path.endsWith('/chat/completions'))).toHaveLength(1);
  });

});

describe('exai-stdio without keys', () => {
  let bare: StdioSession;
  beforeAll(async () => {
    bare = await startStdio({ GLM_BASE_URL: 'http://127.0.0.1:9/api/paas/v4', KIMI_BASE_URL: 'http://127.0.0.1:9/v1' });
  });
  afterAll(async () => bare?.close());

  it('starts, and listmodels says which providers are not configured and why', async () => {
    const result = (await bare.client.callTool({ name: 'listmodels', arguments: {} })) as CallToolResult;
    const output = result.structuredContent as Structured;
    const glm = output.providers.find((group: Structured) => group.provider === 'glm');
    expect(glm.configured).toBe(false);
    expect(glm.reason).toContain('GLM_API_KEY');
    expect(textOf(result)).toContain('KIMI_API_KEY');
  });

  it('chat returns a tool error naming the variable to set', async () => {
    const result = (await bare.client.callTool({ name: 'chat', arguments: { prompt: 'hi', model: 'kimi-k2-0905-preview' } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('KIMI_API_KEY');
  });
});
