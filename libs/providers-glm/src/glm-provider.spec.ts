import { describe, expect, it } from '@jest/globals';
import { ExaiError, InvalidRequestError } from '@exai/router/spec';
import { createGlm, GlmProvider } from './glm-provider.js';
import { createFixtureFetch, jsonResponse } from './test-support/fixture-fetch.js';

describe('createGlm', () => {
  it('creates the glm provider with the z.ai default base URL, doing no I/O for chatModel', () => {
    const { fetch, calls } = createFixtureFetch(() => jsonResponse({}));
    const glm = createGlm({ apiKey: 'k', fetch });
    expect(glm).toBeInstanceOf(GlmProvider);
    expect(glm.id).toBe('glm');
    expect(glm.baseURL).toBe('https://api.z.ai/api/paas/v4');
    const model = glm.chatModel('glm-4.5-flash');
    expect(model).toMatchObject({ provider: 'glm', modelId: 'glm-4.5-flash' });
    expect(calls).toHaveLength(0);
  });

  it('refuses an empty model id and invalid settings, naming the setting', () => {
    expect(() => createGlm({ apiKey: 'k' }).chatModel('')).toThrow(InvalidRequestError);
    expect(() => createGlm({ timeoutMs: -1 })).toThrow(ExaiError);
    expect(() => createGlm({ timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(() => createGlm({ baseURL: 'not a url' })).toThrow(/baseURL/);
  });

  it('reads GLM_API_KEY when no key is given', async () => {
    const previous = process.env['GLM_API_KEY'];
    process.env['GLM_API_KEY'] = 'from-env';
    try {
      const { fetch, calls } = createFixtureFetch(() => jsonResponse({ choices: [{ finish_reason: 'stop', message: { content: 'ok' } }] }));
      await createGlm({ fetch }).chatModel('glm-4.5').generate({ messages: [{ role: 'user', content: 'hi' }] });
      expect(calls[0]!.headers.get('authorization')).toBe('Bearer from-env');
    } finally {
      if (previous === undefined) delete process.env['GLM_API_KEY'];
      else process.env['GLM_API_KEY'] = previous;
    }
  });
});
