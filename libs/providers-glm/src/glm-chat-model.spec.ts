import { describe, expect, it } from '@jest/globals';
import { AbortedError, ContentFilteredError, InvalidRequestError, ProviderError, type ChatRequest } from '@exai/router/spec';
import { createGlm } from './glm-provider.js';
import { createFixtureFetch, jsonFixture, jsonResponse, type FixtureResponder } from './test-support/fixture-fetch.js';

const user = (content: string): ChatRequest['messages'][number] => ({ role: 'user', content });

function setup(responder: FixtureResponder = () => jsonResponse(jsonFixture('chat-text.json')), modelId = 'glm-4.6') {
  const { fetch, calls } = createFixtureFetch(responder);
  const glm = createGlm({ apiKey: 'test-key', baseURL: 'https://glm.test/api/paas/v4', fetch, headers: { 'x-app': 'exai-test' } });
  return { model: glm.chatModel(modelId), calls };
}

describe('GlmChatModel.generate (recorded fixtures)', () => {
  it('posts to {base}/chat/completions with the bearer key and maps text, reasoning, usage and request id', async () => {
    const { model, calls } = setup();
    const result = await model.generate({ messages: [user('Say hi in Portuguese')] });

    expect(calls).toHaveLength(1);
    expect(calls[0]!.url.href).toBe('https://glm.test/api/paas/v4/chat/completions');
    expect(calls[0]!.method).toBe('POST');
    expect(calls[0]!.headers.get('authorization')).toBe('Bearer test-key');
    expect(calls[0]!.headers.get('x-app')).toBe('exai-test');
    expect(calls[0]!.headers.get('accept-language')).toBe('en-US,en');
    expect(calls[0]!.body).toEqual({ model: 'glm-4.6', messages: [{ role: 'user', content: 'Say hi in Portuguese' }] });

    expect(result).toEqual({
      text: 'Olá! Como posso ajudar você hoje?',
      reasoning: 'The user wants a greeting in Portuguese. A short friendly answer will do.',
      toolCalls: [],
      webSearchResults: [],
      webSearchCalls: 0,
      usage: { inputTokens: 18, cachedInputTokens: 0, outputTokens: 58, reasoningTokens: 31, totalTokens: 76 },
      finishReason: { unified: 'stop', raw: 'stop' },
      requestId: '202601021200016a1f3c9d2e4b5a7c',
      provider: 'glm',
      modelId: 'glm-4.6',
      warnings: [],
    });
  });

  it('maps the recorded glm-4.5 tool-call response (§1.3) with cached tokens', async () => {
    const { model } = setup(() => jsonResponse(jsonFixture('chat-tool-calls.json')), 'glm-4.5');
    const result = await model.generate({
      messages: [user('Weather in Florence?')],
      tools: [{ type: 'function', name: 'weather', description: 'Weather of a place', parameters: { type: 'object', properties: { location: { type: 'string' } } } }],
    });
    expect(result.toolCalls).toEqual([{ id: 'call_-8303649628005950554', type: 'function', name: 'weather', arguments: '{"location": "Florence,Italy"}' }]);
    expect(result.finishReason).toEqual({ unified: 'tool-calls', raw: 'tool_calls' });
    expect(result.text).toBe('\n\n');
    expect(result.usage).toEqual({ inputTokens: 179, cachedInputTokens: 43, outputTokens: 79, reasoningTokens: 0, totalTokens: 258 });
    expect(result.requestId).toBe('20250926190543de74b873b8e04ebc');
  });

  it('sends in-chat web search as the web_search tool and returns the results (§1.6)', async () => {
    const { model, calls } = setup(() => jsonResponse(jsonFixture('chat-web-search.json')), 'glm-4.5-air');
    const result = await model.generate({
      messages: [user('When did Node 24 become LTS?')],
      webSearch: { enabled: true, count: 5, recency: 'oneYear', domainFilter: 'nodejs.org', contentSize: 'high', query: 'node 24 lts' },
    });
    expect((calls[0]!.body as { tools: unknown }).tools).toEqual([
      {
        type: 'web_search',
        web_search: {
          enable: true,
          search_engine: 'search-prime',
          search_result: true,
          search_query: 'node 24 lts',
          count: 5,
          search_recency_filter: 'oneYear',
          search_domain_filter: 'nodejs.org',
          content_size: 'high',
        },
      },
    ]);
    expect((calls[0]!.body as Record<string, unknown>)['tool_choice']).toBeUndefined();
    expect(result.webSearchCalls).toBe(1);
    expect(result.webSearchResults).toEqual([
      {
        title: 'Node.js v24.11.0 (LTS)',
        url: 'https://nodejs.org/en/blog/release/v24.11.0',
        content: "Node.js 24 'Krypton' was promoted to Long-Term Support on 28 October 2025.",
        publishDate: '2025-10-28',
        refer: 'ref_1',
        media: 'Node.js',
        icon: 'https://nodejs.org/favicon.ico',
      },
      { title: 'nodejs/release: Node.js release schedule', url: 'https://github.com/nodejs/release', refer: 'ref_2', media: 'GitHub' },
    ]);
  });

  it('throws ContentFilteredError for finish_reason "sensitive" with HTTP 200', async () => {
    const { model } = setup(() => jsonResponse(jsonFixture('chat-sensitive.json')));
    const error = await model.generate({ messages: [user('x')] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContentFilteredError);
    expect(error).toMatchObject({ provider: 'glm', status: 200, vendorCode: 'sensitive', requestId: '2025092619082012ab34cd56ef7890', retryable: false });
    expect((error as Error).message).toMatch(/rephrase the request or use another provider/);
  });

  it('sends thinking only when asked, and sends reasoning back as reasoning_content (§1.5)', async () => {
    const { model, calls } = setup();
    await model.generate({ messages: [user('a')], thinking: { enabled: false } });
    await model.generate({ messages: [user('a')], thinking: { enabled: true, level: 'high' } });
    await model.generate({
      messages: [
        user('Weather?'),
        { role: 'assistant', content: '', reasoning: 'I should call weather.', toolCalls: [{ id: 'call_1', type: 'function', name: 'weather', arguments: '{"location":"Rome"}' }] },
        { role: 'tool', toolCallId: 'call_1', name: 'weather', content: 'sunny' },
      ],
    });
    expect((calls[0]!.body as Record<string, unknown>)['thinking']).toEqual({ type: 'disabled' });
    expect((calls[1]!.body as Record<string, unknown>)['thinking']).toEqual({ type: 'enabled' });
    expect((calls[2]!.body as Record<string, unknown>)['thinking']).toBeUndefined();
    expect((calls[2]!.body as Record<string, unknown>)['messages']).toEqual([
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: '',
        reasoning_content: 'I should call weather.',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"location":"Rome"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
    ]);
  });

  it('sends vision parts for glm-4.5v: data URL prefix stripped, raw base64 and http URLs unchanged, video as video_url', async () => {
    const { model, calls } = setup(undefined, 'glm-4.5v');
    await model.generate({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these' },
            { type: 'image', image: 'data:image/png;base64,iVBORw0KGgo=' },
            { type: 'image', image: '/9j/4AAQSkZJRg==', mediaType: 'image/jpeg' },
            { type: 'image', image: 'https://example.com/cat.jpg' },
            { type: 'video', video: 'https://example.com/clip.mp4' },
          ],
        },
      ],
    });
    expect((calls[0]!.body as { messages: unknown[] }).messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'Compare these' },
        { type: 'image_url', image_url: { url: 'iVBORw0KGgo=' } },
        { type: 'image_url', image_url: { url: '/9j/4AAQSkZJRg==' } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        { type: 'video_url', video_url: { url: 'https://example.com/clip.mp4' } },
      ],
    });
  });

  it('maps request options and vendor extras, never sending what GLM rejects', async () => {
    const { model, calls } = setup();
    const result = await model.generate({
      messages: [{ role: 'system', content: 'Be brief.' }, user('hi')],
      temperature: 1.7,
      topP: 0.9,
      maxTokens: 512,
      stop: ['END'],
      responseFormat: { type: 'json_object' },
      user: 'user-123456',
      tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object' } }],
      toolChoice: 'auto',
      providerOptions: { glm: { do_sample: false, request_id: 'exai-req-0001', tool_stream: true, clear_thinking: false, seed: 7 }, kimi: { partial: true } },
    });
    const body = calls[0]!.body as Record<string, unknown>;
    expect(body).toEqual({
      model: 'glm-4.6',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }],
      temperature: 1,
      top_p: 0.9,
      max_tokens: 512,
      stop: ['END'],
      response_format: { type: 'json_object' },
      user_id: 'user-123456',
      do_sample: false,
      request_id: 'exai-req-0001',
      thinking: { type: 'enabled', clear_thinking: false },
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      tool_choice: 'auto',
    });
    expect(body).not.toHaveProperty('max_completion_tokens');
    expect(body).not.toHaveProperty('tool_stream');
    expect(result.warnings).toEqual([
      "temperature 1.7 is outside GLM's range [0, 1]; sent 1",
      'providerOptions.glm.seed is not a GLM option exai knows (do_sample, top_p, request_id, user_id, tool_stream, clear_thinking, search_engine); it was not sent',
      'providerOptions.glm.tool_stream needs streaming, function tools and glm-4.6; it was not sent',
    ]);
  });

  it('drops function tools for toolChoice "none" with a warning', async () => {
    const { model, calls } = setup();
    const result = await model.generate({ messages: [user('hi')], tools: [{ type: 'function', name: 'lookup', parameters: {} }], toolChoice: 'none' });
    expect(calls[0]!.body).not.toHaveProperty('tools');
    expect(calls[0]!.body).not.toHaveProperty('tool_choice');
    expect(result.warnings).toEqual(['GLM accepts toolChoice "auto" only; for toolChoice "none" the function tools were not sent']);
  });

  it.each<[string, ChatRequest]>([
    ['toolChoice "required"', { messages: [user('hi')], tools: [{ type: 'function', name: 'lookup', parameters: {} }], toolChoice: 'required' }],
    ['two stop words', { messages: [user('hi')], stop: ['a', 'b'] }],
    ['no user message', { messages: [{ role: 'system', content: 'You are helpful.' }, { role: 'assistant', content: 'Hello' }] }],
    ['a Kimi file reference', { messages: [{ role: 'user', content: [{ type: 'image', image: 'ms://file-1' }] }] }],
    ['Kimi partial mode', { messages: [user('hi'), { role: 'assistant', content: 'Once', partial: true }] }],
    ['an invalid tool name', { messages: [user('hi')], tools: [{ type: 'function', name: 'has space', parameters: {} }] }],
    ['a non-integer maxTokens', { messages: [user('hi')], maxTokens: 1.5 }],
    ['a non-boolean providerOptions.glm.do_sample', { messages: [user('hi')], providerOptions: { glm: { do_sample: 'no' } } }],
  ])('refuses %s with InvalidRequestError before sending', async (_name, request) => {
    const { model, calls } = setup();
    const error = await model.generate(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).provider).toBe('glm');
    expect(calls).toHaveLength(0);
  });

  it('explains a missing API key without sending anything', async () => {
    const previous = process.env['GLM_API_KEY'];
    delete process.env['GLM_API_KEY'];
    try {
      const { fetch, calls } = createFixtureFetch(() => jsonResponse({}));
      const error = await createGlm({ fetch }).chatModel('glm-4.6').generate({ messages: [user('hi')] }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'authentication', provider: 'glm' });
      expect((error as Error).message).toMatch(/GLM_API_KEY is not set/);
      expect(calls).toHaveLength(0);
    } finally {
      if (previous !== undefined) process.env['GLM_API_KEY'] = previous;
    }
  });

  it('passes the caller signal to fetch and reports an abort as AbortedError', async () => {
    const controller = new AbortController();
    const { model, calls } = setup(
      (call) =>
        new Promise<Response>((_resolve, reject) => {
          call.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), { once: true });
          setTimeout(() => controller.abort(), 10);
        }),
    );
    const error = await model.generate({ messages: [user('hi')] }, { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortedError);
    expect(calls[0]!.signal?.aborted).toBe(true);
  });

  it('rejects an unreadable response with a ProviderError instead of a crash', async () => {
    const { model } = setup(() => jsonResponse({ choices: [] }));
    const error = await model.generate({ messages: [user('hi')] }).catch((caught: unknown) => caught);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).code).toBe('provider_unavailable');
  });

  it('sends per-call headers', async () => {
    const { model, calls } = setup();
    await model.generate({ messages: [user('hi')] }, { headers: { 'x-trace': 'abc' } });
    expect(calls[0]!.headers.get('x-trace')).toBe('abc');
  });
});
