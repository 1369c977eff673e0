import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ProviderError, type ChatRequest, type StreamPart } from '@exai/router/spec';
import { kimiSearchTokens, startSimulator, type RecordedRequest, type Simulator } from '@exai/provider-sim';
import { createKimi, type KimiProvider } from './kimi-provider.js';

let sim: Simulator;
let kimi: KimiProvider;

beforeAll(async () => {
  sim = await startSimulator();
  kimi = createKimi({ apiKey: 'sk-sim', baseURL: sim.kimiBaseURL });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

type WireBody = Record<string, unknown> & { messages: Array<Record<string, unknown>> };
const chatRequests = (): RecordedRequest[] => sim.requests.filter((request) => request.path === '/v1/chat/completions');
const sent = (index: number): WireBody => chatRequests()[index]?.body as WireBody;
const ask = (content: string, maxRounds?: number): ChatRequest => ({
  messages: [{ role: 'user', content }],
  webSearch: { enabled: true, ...(maxRounds === undefined ? {} : { maxRounds }) },
});

describe('Kimi $web_search loop against the simulator', () => {
  it('echoes the search back verbatim and returns the final answer, counting searches and summing usage', async () => {
    const result = await kimi.chatModel('kimi-k2-turbo-preview').generate(ask('What happened today?'));
    expect(chatRequests()).toHaveLength(2);
    expect(sent(0).tools).toEqual([{ type: 'builtin_function', function: { name: '$web_search' } }]);
    const [assistant, tool] = sent(1).messages.slice(1);
    const call = (assistant?.tool_calls as Array<{ id: string; type: string; function: { arguments: string } }>)[0]!;
    expect(assistant).toMatchObject({ role: 'assistant', content: '' });
    expect(call.type).toBe('builtin_function');
    expect(tool).toEqual({ role: 'tool', tool_call_id: call.id, name: '$web_search', content: call.function.arguments });
    expect(result.text).toContain(`Tool result: ${call.function.arguments}`);
    expect(result.finishReason.unified).toBe('stop');
    expect(result.webSearchCalls).toBe(1);
    expect(result.toolCalls).toEqual([]);
    // The search's tokens are billed as prompt tokens of the second call, and both calls are summed.
    expect(result.usage.inputTokens).toBeGreaterThan(kimiSearchTokens);
  });

  it('runs several rounds, and stops at maxRounds with finish reason tool-calls and a warning', async () => {
    const three = await kimi.chatModel('kimi-k2-turbo-preview').generate(ask('Research deeply [[sim:search-rounds:3]]'));
    expect(chatRequests()).toHaveLength(4);
    expect(three.webSearchCalls).toBe(3);
    expect(three.finishReason.unified).toBe('stop');

    sim.reset();
    const bounded = await kimi.chatModel('kimi-k2-turbo-preview').generate(ask('Research deeply [[sim:search-rounds:3]]', 2));
    expect(chatRequests()).toHaveLength(3);
    expect(bounded.finishReason).toEqual({ unified: 'tool-calls', raw: 'tool_calls' });
    expect(bounded.webSearchCalls).toBe(3);
    expect(bounded.toolCalls).toHaveLength(1);
    expect(bounded.toolCalls[0]).toMatchObject({ type: 'builtin_function', name: '$web_search' });
    expect(bounded.warnings.join()).toContain('webSearch.maxRounds (2)');
  });

  it('streams every round between one response-metadata and one finish', async () => {
    const parts: StreamPart[] = [];
    for await (const part of kimi.chatModel('kimi-k2-0905-preview').stream(ask('Latest news [[sim:search-rounds:2]]'))) parts.push(part);
    expect(chatRequests()).toHaveLength(3);
    expect(parts.filter((part) => part.type === 'response-metadata')).toHaveLength(1);
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
    expect(parts.some((part) => part.type === 'tool-call')).toBe(false);
    const finish = parts.at(-1);
    expect(finish).toMatchObject({ type: 'finish', webSearchCalls: 2, finishReason: { unified: 'stop' } });
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : [])).join('');
    expect(text).toContain('Tool result:');
    expect(sent(2).messages.filter((message) => message.role === 'tool')).toHaveLength(2);
    expect(sent(2).stream).toBe(true);
  });

  it('keeps function tools alongside the builtin and hands the function call to the caller', async () => {
    const tools = [{ type: 'function' as const, name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } }];
    const result = await kimi.chatModel('kimi-k2-turbo-preview').generate({ ...ask('Search, then look up'), tools });
    expect(sent(0).tools).toEqual([
      { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } },
      { type: 'builtin_function', function: { name: '$web_search' } },
    ]);
    expect(result.webSearchCalls).toBe(1);
    expect(result.finishReason.unified).toBe('stop');
  });

  it('refuses web search on kimi-k2-thinking, naming a model to use instead', async () => {
    let caught: unknown;
    try {
      await kimi.chatModel('kimi-k2-thinking').generate(ask('Search'));
    } catch (error) {
      caught = error;
    }
    expect(ProviderError.isInstance(caught) && caught.code).toBe('invalid_request');
    expect((caught as Error).message).toContain('kimi-k2-turbo-preview');
    expect(sim.requests).toHaveLength(0);
  });
});
