import { describe, expect, it } from '@jest/globals';
import { formatPath, parseChatCompletionRequest } from './chat-completion-schema.js';
import { OpenAiError } from './openai-error.js';
import { toChatRequest } from './to-chat-request.js';

const map = (body: Record<string, unknown>) => toChatRequest(parseChatCompletionRequest({ model: 'auto', messages: [{ role: 'user', content: 'hi' }], ...body }));

describe('toChatRequest', () => {
  it('maps developer and text-part messages, assistant reasoning and tool calls, and tool results', () => {
    const request = map({
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'rule ' }, { type: 'text', text: 'one' }] },
        { role: 'user', content: 'q', name: 'ann' },
        { role: 'assistant', content: null, reasoning_content: 'because', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: 'done' }] },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'system', content: 'rule one' },
      { role: 'user', content: 'q', name: 'ann' },
      { role: 'assistant', content: '', reasoning: 'because', toolCalls: [{ id: 'c1', type: 'function', name: 'f', arguments: '{"a":1}' }] },
      { role: 'tool', toolCallId: 'c1', content: 'done' },
    ]);
  });

  it('prefers max_completion_tokens, wraps a single stop, and maps JSON mode and the end user', () => {
    expect(map({ max_tokens: 10, max_completion_tokens: 20, stop: 'END', response_format: { type: 'json_object' }, user: 'u-1' })).toMatchObject({ maxTokens: 20, stop: ['END'], responseFormat: { type: 'json_object' }, user: 'u-1' });
    expect(map({ max_tokens: 10 }).maxTokens).toBe(10);
  });

  it('maps reasoning_effort and the vendors thinking switch to thinking options', () => {
    expect(map({ reasoning_effort: 'none' }).thinking).toEqual({ enabled: false });
    expect(map({ reasoning_effort: 'high' }).thinking).toEqual({ enabled: true, level: 'high' });
    expect(map({ reasoning_effort: 'xhigh' }).thinking).toEqual({ enabled: true, level: 'max' });
    expect(map({ thinking: { type: 'disabled' } }).thinking).toEqual({ enabled: false });
    expect(map({}).thinking).toBeUndefined();
  });

  it('turns a named tool_choice into that one tool, required; tool_choice none drops the tools', () => {
    const tools = [
      { type: 'function', function: { name: 'a', parameters: { type: 'object', properties: {} } } },
      { type: 'function', function: { name: 'b' } },
    ];
    const named = map({ tools, tool_choice: { type: 'function', function: { name: 'b' } } });
    expect(named.tools).toEqual([{ type: 'function', name: 'b', parameters: { type: 'object', properties: {} } }]);
    expect(named.toolChoice).toBe('required');
    expect(map({ tools, tool_choice: 'none' }).tools).toBeUndefined();
    expect(map({ tools }).tools).toHaveLength(2);
  });

  it('refuses a tool_choice naming a tool that is not offered, naming the field', () => {
    expect(() => map({ tools: [{ type: 'function', function: { name: 'a' } }], tool_choice: { type: 'function', function: { name: 'zzz' } } })).toThrow(
      expect.objectContaining({ status: 400, param: 'tool_choice.function.name' }) as unknown as OpenAiError,
    );
    expect(() => parseChatCompletionRequest([])).toThrow(OpenAiError);
  });

  it('names nested fields as OpenAI does', () => {
    expect(formatPath(['messages', 3, 'content', 0, 'image_url', 'url'])).toBe('messages[3].content[0].image_url.url');
  });
});
