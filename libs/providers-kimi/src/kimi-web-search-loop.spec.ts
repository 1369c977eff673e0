import { describe, expect, it } from '@jest/globals';
import type { ChatRequest, StreamPart } from '@exai/router/spec';
import { bodyOf, fakeKimi, jsonFile, jsonFixture, sseFile } from './test-support/fake-fetch.js';

const question: ChatRequest = { messages: [{ role: 'user', content: 'What is new at Moonshot?' }], webSearch: { enabled: true } };
const searchArguments = '{"search_result":{"search_id":"06a570ba9f2c4c0e8a1b"},"usage":{"total_tokens":8933}}';

describe('$web_search loop (provider-wire.md §2.5, fixtures)', () => {
  it('adds the builtin tool, echoes the assistant message unchanged plus the arguments verbatim, and calls again', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('web-search-tool-calls.json'), jsonFile('web-search-answer.json')]);
    const result = await kimi.chatModel('kimi-k2-turbo-preview').generate(question);

    expect(bodyOf(calls[0]).tools).toEqual([{ type: 'builtin_function', function: { name: '$web_search' } }]);
    const sent = jsonFixture<{ choices: Array<{ message: unknown }> }>('web-search-tool-calls.json').choices[0]?.message;
    expect(bodyOf(calls[1]).messages.slice(1)).toEqual([
      sent,
      { role: 'tool', tool_call_id: 't-web_search-691805032181', name: '$web_search', content: searchArguments },
    ]);
    expect(result.text).toBe("According to today's reports, the Moonshot AI platform added web search in 2024.");
    expect(result.webSearchCalls).toBe(1);
    expect(result.toolCalls).toEqual([]);
    expect(result.finishReason.unified).toBe('stop');
    expect(result.usage.inputTokens).toBe(60 + 9050);
    expect(result.usage.outputTokens).toBe(22 + 20);
    expect(result.requestId).toBe('cmpl-7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f');
  });

  it('stops after webSearch.maxRounds with finish reason tool-calls and a warning', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('web-search-tool-calls.json'), jsonFile('web-search-tool-calls.json')]);
    const result = await kimi.chatModel('kimi-k2-turbo-preview').generate({ ...question, webSearch: { enabled: true, maxRounds: 1 } });
    expect(calls).toHaveLength(2);
    expect(result.finishReason.unified).toBe('tool-calls');
    expect(result.webSearchCalls).toBe(2);
    expect(result.toolCalls).toEqual([{ id: 't-web_search-691805032181', type: 'builtin_function', name: '$web_search', arguments: searchArguments }]);
    expect(result.warnings.join()).toContain('webSearch.maxRounds (1)');
  });

  it('returns every call when the model mixes a function with $web_search (builtin typed as builtin_function)', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('web-search-mixed-tool-calls.json')]);
    const result = await kimi.chatModel('kimi-k2-turbo-preview').generate({
      ...question,
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }],
    });
    expect(calls).toHaveLength(1);
    expect(bodyOf(calls[0]).tools).toHaveLength(2);
    expect(result.toolCalls.map((call) => [call.type, call.name])).toEqual([
      ['builtin_function', '$web_search'],
      ['function', 'get_weather'],
    ]);
    expect(result.webSearchCalls).toBe(1);
  });

  it('streams every round with one response-metadata and one finish', async () => {
    const { kimi, calls } = fakeKimi([sseFile('web-search-round.chunks.txt'), sseFile('web-search-answer.chunks.txt')]);
    const parts: StreamPart[] = [];
    for await (const part of kimi.chatModel('kimi-k2-turbo-preview').stream(question)) parts.push(part);
    expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'text-delta', 'finish']);
    expect(parts[0]).toMatchObject({ requestId: 'cmpl-6605b94c570f447fbde318056073628b' });
    expect(parts[2]).toMatchObject({ webSearchCalls: 1, usage: { inputTokens: 9110, outputTokens: 25 }, finishReason: { unified: 'stop' } });
    expect(bodyOf(calls[1]).messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ index: 0, id: 't-web_search-691805032181', type: 'builtin_function', function: { name: '$web_search', arguments: searchArguments } }],
      },
      { role: 'tool', tool_call_id: 't-web_search-691805032181', name: '$web_search', content: searchArguments },
    ]);
  });

  it('turns thinking off on models with the switch, and fills in the $web_search name on caller echoes', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('web-search-answer.json')]);
    const result = await kimi.chatModel('kimi-k2.5').generate({
      ...question,
      thinking: { enabled: true },
      messages: [
        { role: 'user', content: 'Search and check the weather' },
        { role: 'assistant', content: '', toolCalls: [{ id: 't-web_search-1', type: 'builtin_function', name: '$web_search', arguments: '{"a":1}' }] },
        { role: 'tool', toolCallId: 't-web_search-1', content: '{"a":1}' },
      ],
    });
    expect(bodyOf(calls[0]).thinking).toEqual({ type: 'disabled' });
    expect(bodyOf(calls[0]).messages[2]).toEqual({ role: 'tool', tool_call_id: 't-web_search-1', name: '$web_search', content: '{"a":1}' });
    expect(result.warnings.join()).toContain('Thinking was turned off');
  });
});
