import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError, type ChatRequest } from '@exai/router/spec';
import { buildGlmRequest } from './build-glm-request.js';

const messages: ChatRequest['messages'] = [{ role: 'user', content: 'hi' }];

describe('buildGlmRequest', () => {
  it('clamps out-of-range values with warnings', () => {
    const { body, warnings } = buildGlmRequest({
      modelId: 'glm-4.5',
      stream: false,
      request: { messages, temperature: -0.5, topP: 0, maxTokens: 500_000, webSearch: { enabled: true, count: 80, maxRounds: 3 } },
    });
    expect(body.temperature).toBe(0);
    expect(body.top_p).toBe(0.01);
    expect(body.max_tokens).toBe(98_304);
    expect(body.tools).toEqual([{ type: 'web_search', web_search: { enable: true, search_engine: 'search-prime', search_result: true, count: 50 } }]);
    expect(warnings).toEqual([
      "temperature -0.5 is outside GLM's range [0, 1]; sent 0",
      "topP 0 is outside GLM's range [0.01, 1]; sent 0.01",
      "maxTokens 500000 is outside GLM's range [1, 98304]; sent 98304",
      "webSearch.count 80 is outside GLM's range [1, 50]; sent 50",
      'webSearch.maxRounds applies to Kimi only; GLM ignores it',
    ]);
  });

  it('keeps function tools next to the web search tool, and takes the search engine from providerOptions', () => {
    const { body } = buildGlmRequest({
      modelId: 'glm-4.6',
      stream: true,
      request: {
        messages,
        tools: [{ type: 'function', name: 'lookup', description: 'Look up', parameters: { type: 'object' } }],
        webSearch: { enabled: true },
        providerOptions: { glm: { search_engine: 'search_pro', top_p: 0.5 } },
      },
    });
    expect(body.tools).toEqual([
      { type: 'function', function: { name: 'lookup', description: 'Look up', parameters: { type: 'object' } } },
      { type: 'web_search', web_search: { enable: true, search_engine: 'search_pro', search_result: true } },
    ]);
    expect(body.tool_stream).toBe(true);
    expect(body.top_p).toBe(0.5);
    expect(body).not.toHaveProperty('tool_choice');
  });

  it('clamps maxTokens to the model limit, and unknown models to 131072', () => {
    expect(buildGlmRequest({ modelId: 'glm-4.5v', stream: false, request: { messages, maxTokens: 20_000 } }).body.max_tokens).toBe(16_384);
    expect(buildGlmRequest({ modelId: 'glm-4.6', stream: false, request: { messages, maxTokens: 131_072 } }).body.max_tokens).toBe(131_072);
    expect(buildGlmRequest({ modelId: 'glm-5-preview', stream: false, request: { messages, maxTokens: 200_000 } }).body.max_tokens).toBe(131_072);
  });

  it('sends user_id only when GLM accepts its length', () => {
    const short = buildGlmRequest({ modelId: 'glm-4.5', stream: false, request: { messages, user: 'abc' } });
    expect(short.body).not.toHaveProperty('user_id');
    expect(short.warnings).toEqual(['user must be 6–128 characters for GLM; it was not sent']);
    const overridden = buildGlmRequest({ modelId: 'glm-4.5', stream: false, request: { messages, user: 'user-000001', providerOptions: { glm: { user_id: 'vendor-user-7' } } } });
    expect(overridden.body.user_id).toBe('vendor-user-7');
  });

  it('refuses more than 128 function tools and non-finite numbers', () => {
    const tools = Array.from({ length: 129 }, (_, index) => ({ type: 'function' as const, name: `t${index}`, parameters: {} }));
    expect(() => buildGlmRequest({ modelId: 'glm-4.5', stream: false, request: { messages, tools } })).toThrow(InvalidRequestError);
    expect(() => buildGlmRequest({ modelId: 'glm-4.5', stream: false, request: { messages, temperature: Number.NaN } })).toThrow(/finite/);
  });
});
