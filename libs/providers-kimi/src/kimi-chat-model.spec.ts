import { describe, expect, it } from '@jest/globals';
import { ProviderError, type ChatRequest } from '@exai/router/spec';
import { bodyOf, fakeKimi, jsonFile } from './test-support/fake-fetch.js';

const hello: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };

async function refusal(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('KimiChatModel.generate (fixtures)', () => {
  it('returns text, usage with top-level cached_tokens, request id and finish reason', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('chat-completion.json')]);
    const result = await kimi.chatModel('kimi-k2-turbo-preview').generate(hello);
    expect(result.text).toBe('Hello, I am Kimi. How can I help you today?');
    expect(result.usage).toEqual({ inputTokens: 19, cachedInputTokens: 10, outputTokens: 21, reasoningTokens: 0, totalTokens: 40 });
    expect(result.finishReason).toEqual({ unified: 'stop', raw: 'stop' });
    expect(result.requestId).toBe('cmpl-04ea926191a14749b7f2c7a48a68abc6');
    expect(result.provider).toBe('kimi');
    expect(result.modelId).toBe('kimi-k2-turbo-preview');
    expect(result.toolCalls).toEqual([]);
    expect(result.webSearchCalls).toBe(0);
    expect(result.warnings).toEqual([]);
    expect(calls[0]?.url).toBe('https://api.moonshot.test/v1/chat/completions');
    expect(calls[0]?.headers.get('authorization')).toBe('Bearer sk-test');
  });

  it('reads cached tokens from prompt_tokens_details too', async () => {
    const { kimi } = fakeKimi([jsonFile('chat-completion-details-cache.json')]);
    const result = await kimi.chatModel('kimi-k2-0905-preview').generate(hello);
    expect(result.usage.cachedInputTokens).toBe(96);
  });

  it('always sends max_tokens: the request value, else defaultMaxTokens (8192 unless set)', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('chat-completion.json'), jsonFile('chat-completion.json')]);
    const model = kimi.chatModel('kimi-k2-0905-preview');
    await model.generate(hello);
    await model.generate({ ...hello, maxTokens: 100 });
    expect(bodyOf(calls[0]).max_tokens).toBe(8192);
    expect(bodyOf(calls[1]).max_tokens).toBe(100);
    const custom = fakeKimi([jsonFile('chat-completion.json')], { defaultMaxTokens: 2048 });
    await custom.kimi.chatModel('kimi-k2-0905-preview').generate(hello);
    expect(bodyOf(custom.calls[0]).max_tokens).toBe(2048);
  });

  it('clamps temperature to [0, 1] with a warning and forces 1.0 on kimi-k2-thinking', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('chat-completion.json'), jsonFile('chat-completion.json'), jsonFile('chat-completion.json')]);
    const clamped = await kimi.chatModel('kimi-k2-0905-preview').generate({ ...hello, temperature: 1.7 });
    expect(bodyOf(calls[0]).temperature).toBe(1);
    expect(clamped.warnings.join()).toContain('clamped to 1');
    const thinking = await kimi.chatModel('kimi-k2-thinking').generate({ ...hello, temperature: 0.2 });
    expect(bodyOf(calls[1]).temperature).toBe(1);
    expect(thinking.warnings.join()).toContain('accepts only temperature 1');
    const plain = await kimi.chatModel('kimi-k2-thinking-turbo').generate(hello);
    expect(bodyOf(calls[2]).temperature).toBe(1);
    expect(plain.warnings).toEqual([]);
  });

  it('sends tools, tool_choice, stop, response_format and vendor extras', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('chat-completion.json')]);
    await kimi.chatModel('kimi-k2-0905-preview').generate({
      ...hello,
      topP: 0.9,
      stop: ['END'],
      responseFormat: { type: 'json_object' },
      tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      toolChoice: 'auto',
      providerOptions: { kimi: { presence_penalty: 0.5, frequency_penalty: 0.1, prompt_cache_key: 'session-1', n: 1 } },
    });
    const body = bodyOf(calls[0]);
    expect(body.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
    ]);
    expect(body.tool_choice).toBe('auto');
    expect(body.stop).toEqual(['END']);
    expect(body.top_p).toBe(0.9);
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.presence_penalty).toBe(0.5);
    expect(body.frequency_penalty).toBe(0.1);
    expect(body.prompt_cache_key).toBe('session-1');
    expect(body.n).toBe(1);
    expect(body.stream).toBeUndefined();
  });

  it('refuses before sending: tool_choice required, http images, thinking-preview tools, partial with json, unknown options', async () => {
    const { kimi, calls } = fakeKimi([]);
    const k2 = kimi.chatModel('kimi-k2-0905-preview');
    const tool = { type: 'function' as const, name: 'f', parameters: { type: 'object' } };
    const required = await refusal(k2.generate({ ...hello, tools: [tool], toolChoice: 'required' }));
    expect(required.code).toBe('invalid_request');
    expect(required.message).toContain("'required' is not supported");

    const image = await refusal(
      k2.generate({ messages: [{ role: 'user', content: [{ type: 'image', image: 'https://example.com/cat.png' }] }] }),
    );
    expect(image.message).toContain('data: URL');
    expect(image.message).toContain('ms://<file id>');

    const preview = await refusal(kimi.chatModel('kimi-thinking-preview').generate({ ...hello, tools: [tool] }));
    expect(preview.message).toContain('does not support tools');

    const partialJson = await refusal(
      k2.generate({
        messages: [{ role: 'user', content: 'Give JSON' }, { role: 'assistant', content: '{', partial: true }],
        responseFormat: { type: 'json_object' },
      }),
    );
    expect(partialJson.message).toContain('partial mode');

    const unknown = await refusal(k2.generate({ ...hello, providerOptions: { kimi: { topP: 0.3 } } }));
    expect(unknown.message).toContain('unknown option(s) topP');

    const cache = await refusal(k2.generate({ ...hello, providerOptions: { kimi: { cacheId: 'cache-1' } } }));
    expect(cache.message).toContain('moonshot-v1 models only');

    const webSearchThinking = await refusal(kimi.chatModel('kimi-k2-thinking').generate({ ...hello, webSearch: { enabled: true } }));
    expect(webSearchThinking.message).toContain('kimi-k2-turbo-preview');

    const empty = await refusal(k2.generate({ messages: [{ role: 'user', content: '' }] }));
    expect(empty.message).toContain('empty content');

    const notLast = await refusal(
      k2.generate({ messages: [{ role: 'assistant', content: 'x', partial: true }, { role: 'user', content: 'y' }] }),
    );
    expect(notLast.message).toContain('not the last message');
    expect(calls).toHaveLength(0);
  });

  it('turns raw base64 images into data URLs and keeps ms:// references', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('chat-completion.json')]);
    await kimi.chatModel('moonshot-v1-8k-vision-preview').generate({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', image: 'iVBORw0KGgoAAAANSUhEUg==' },
            { type: 'image', image: '/9j/4AAQSkZJRg==', mediaType: 'image/jpeg' },
            { type: 'image', image: 'ms://cn0bmk198onv4v01aafg' },
          ],
        },
      ],
    });
    expect(bodyOf(calls[0]).messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==' } },
        { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQSkZJRg==' } },
        { type: 'image_url', image_url: { url: 'ms://cn0bmk198onv4v01aafg' } },
      ],
    });
  });

  it('partial mode: sends partial: true and returns the prefix plus the continuation', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('chat-completion-continued.json')]);
    const result = await kimi.chatModel('kimi-k2-0905-preview').generate({
      messages: [
        { role: 'user', content: 'Finish the sentence' },
        { role: 'assistant', content: 'The first part of a long answer', partial: true, name: 'Narrator' },
      ],
    });
    expect(bodyOf(calls[0]).messages[1]).toEqual({
      role: 'assistant',
      content: 'The first part of a long answer',
      partial: true,
      name: 'Narrator',
    });
    expect(result.text).toBe('The first part of a long answer, and its end.');
  });

  it('thinking: returns reasoning and tool calls; sends reasoning back on tool turns (placeholder with a warning)', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('chat-completion-thinking-tool-calls.json'), jsonFile('chat-completion.json'), jsonFile('chat-completion.json')]);
    const model = kimi.chatModel('kimi-k2-thinking');
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object' } }];
    const first = await model.generate({ messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
    expect(first.reasoning).toBe('The user wants the weather; I should call get_weather for Paris.');
    expect(first.finishReason.unified).toBe('tool-calls');
    expect(first.toolCalls).toEqual([{ id: 'functions.get_weather:0', type: 'function', name: 'get_weather', arguments: '{"city":"Paris"}' }]);

    const history = (reasoning: string | undefined): ChatRequest => ({
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', toolCalls: first.toolCalls, ...(reasoning === undefined ? {} : { reasoning }) },
        { role: 'tool', toolCallId: 'functions.get_weather:0', content: '{"temp":21}' },
      ],
    });
    const kept = await model.generate(history(first.reasoning));
    expect(bodyOf(calls[1]).messages[1]).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [{ id: 'functions.get_weather:0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      reasoning_content: first.reasoning,
    });
    expect(bodyOf(calls[1]).messages[2]).toEqual({ role: 'tool', tool_call_id: 'functions.get_weather:0', name: 'get_weather', content: '{"temp":21}' });
    expect(kept.warnings).toEqual([]);

    const placeholder = await model.generate(history(undefined));
    expect(bodyOf(calls[2]).messages[1]?.reasoning_content).toBe(' ');
    expect(placeholder.warnings.join()).toContain('placeholder');
  });

  it('puts a legacy cache reference first on moonshot-v1 models', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('chat-completion.json')]);
    await kimi.chatModel('moonshot-v1-32k').generate({
      messages: [{ role: 'system', content: 'Be brief.' }, ...hello.messages],
      providerOptions: { kimi: { cacheId: 'cache-essqmysd6h1111dauub1', cacheResetTtlSeconds: 3600 } },
    });
    expect(bodyOf(calls[0]).messages.slice(0, 2)).toEqual([
      { role: 'cache', content: 'cache_id=cache-essqmysd6h1111dauub1;reset_ttl=3600' },
      { role: 'system', content: 'Be brief.' },
    ]);
  });

  it('chat with files: inserts each file after the system prompt, before the first user message', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('file-content.json'), jsonFile('chat-completion.json')]);
    await kimi.chatModel('kimi-k2-0905-preview').generate({
      messages: [{ role: 'system', content: 'Answer from the file.' }, { role: 'user', content: 'Summarise' }],
      providerOptions: { kimi: { fileIds: ['cn0bmk198onv4v01aafg'] } },
    });
    expect(calls[0]?.url).toBe('https://api.moonshot.test/v1/files/cn0bmk198onv4v01aafg/content');
    const messages = bodyOf(calls[1]).messages;
    expect(messages.map((message) => message.role)).toEqual(['system', 'system', 'user']);
    expect(JSON.parse(String(messages[1]?.content))).toMatchObject({ filename: 'xlnet.pdf', type: 'file', file_type: 'application/pdf' });
  });

  it('chat with files: over the budget, fails naming every file and its size (nothing is dropped)', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('file-content.json'), jsonFile('file-content.json')]);
    const error = await refusal(
      kimi.chatModel('kimi-k2-0905-preview').generate({
        ...hello,
        providerOptions: { kimi: { fileIds: ['file-a', 'file-b'], fileContentMaxChars: 100 } },
      }),
    );
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain('file-a (xlnet.pdf): 101 chars');
    expect(error.message).toContain('file-b (xlnet.pdf): 101 chars');
    expect(error.message).toContain('202 chars');
    expect(calls.every((call) => call.url.includes('/files/'))).toBe(true);
  });

  it('auto-continue: continues a length-cut answer in partial mode and concatenates', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('chat-completion-length.json'), jsonFile('chat-completion-continued.json')]);
    const result = await kimi.chatModel('kimi-k2-0905-preview').generate({
      ...hello,
      maxTokens: 8,
      providerOptions: { kimi: { autoContinue: { maxRounds: 2, maxTotalTokens: 100 } } },
    });
    expect(result.text).toBe('The first part of a long answer, and its end.');
    expect(result.finishReason.unified).toBe('stop');
    expect(result.usage).toEqual({ inputTokens: 68, cachedInputTokens: 0, outputTokens: 13, reasoningTokens: 0, totalTokens: 81 });
    const second = bodyOf(calls[1]);
    expect(second.messages.at(-1)).toEqual({ role: 'assistant', content: 'The first part of a long answer', partial: true });
    expect(second.max_tokens).toBe(8);
  });

  it('auto-continue: stops at its bounds with a warning and finish reason length', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('chat-completion-length.json'), jsonFile('chat-completion-length.json')]);
    const result = await kimi.chatModel('kimi-k2-0905-preview').generate({
      ...hello,
      maxTokens: 8,
      providerOptions: { kimi: { autoContinue: { maxRounds: 1, maxTotalTokens: 12 } } },
    });
    expect(calls).toHaveLength(2);
    expect(bodyOf(calls[1]).max_tokens).toBe(4); // 12 - 8 tokens already produced
    expect(result.finishReason.unified).toBe('length');
    expect(result.text).toBe('The first part of a long answerThe first part of a long answer');
    expect(result.warnings.join()).toContain('auto-continue reached');
  });
});
