import { afterEach, describe, expect, it } from '@jest/globals';
import { textOf } from '../test-support/tool-harness.js';
import { previewRequest, type GlmPayloadPreviewInput, type GlmPayloadPreviewOutput } from './glm-payload-preview-tool.js';
import { redactPayload } from '../redact-secrets.js';
import { startVendorSim, structuredOf, type VendorSim } from './test-support/vendor-sim.js';

const lookup = { name: 'lookup', description: 'Find a symbol', parameters: { type: 'object', properties: { symbol: { type: 'string' }, password: { type: 'string' } } } };

describe('redactPayload', () => {
  it('replaces credentials by key and by pattern, and leaves schemas and token counts alone', () => {
    expect(
      redactPayload({
        headers: { Authorization: 'Bearer abc.def', 'x-api-key': 'k-123' },
        max_tokens: 100,
        text: 'use sk-abcdefghijklmnop1234 or 0123456789abcdef0123456789abcdef.AbCdEfGh12345678, api_key=hunter2',
        parameters: { properties: { password: { type: 'string' } } },
      }),
    ).toEqual({
      headers: { Authorization: 'Bearer [redacted]', 'x-api-key': '[redacted]' },
      max_tokens: 100,
      text: 'use [redacted] or [redacted], api_key=[redacted]',
      parameters: { properties: { password: { type: 'string' } } },
    });
  });
});

describe('glm_payload_preview', () => {
  let env: VendorSim | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  /** The body the real GLM provider sends for the same request, through the same router. */
  async function sentBody(input: GlmPayloadPreviewInput, model: string): Promise<unknown> {
    const call = { model, request: previewRequest(input), task: { tool: 'glm_payload_preview' } };
    if (input.stream) {
      for await (const _part of env!.router.streamWithMetadata(call).parts);
    } else {
      await env!.router.generate(call);
    }
    return env!.requests('POST', '/api/paas/v4/chat/completions').at(-1)!.body;
  }

  it('describes exactly the streamed body the GLM provider sends, tools and search included', async () => {
    env = await startVendorSim();
    const input: GlmPayloadPreviewInput = {
      prompt: 'Where is lookup defined?',
      system_prompt: 'Be brief.',
      model: 'glm-4.6',
      temperature: 0.3,
      max_tokens: 500,
      thinking_mode: 'high',
      use_websearch: true,
      tools: [lookup],
      tool_choice: 'auto',
      stream: true,
    };
    const output = structuredOf<GlmPayloadPreviewOutput>(await env.call('glm_payload_preview', input));
    expect(env.requests('POST', '/chat/completions')).toHaveLength(0);
    expect(output).toMatchObject({ model: 'glm-4.6', url: `${env.sim.glmBaseURL}/chat/completions` });
    expect(output.headers).toMatchObject({ Authorization: 'Bearer [redacted]', 'Content-Type': 'application/json' });
    expect(output.body).toMatchObject({ stream: true, tool_stream: true, tool_choice: 'auto', thinking: { type: 'enabled' }, max_tokens: 500 });
    expect(output.body).toEqual(await sentBody(input, 'glm-4.6'));
  });

  it('follows the router for auto and fills the defaults the router would', async () => {
    env = await startVendorSim();
    const input: GlmPayloadPreviewInput = { prompt: 'Hello there', thinking_mode: 'off' };
    const output = structuredOf<GlmPayloadPreviewOutput>(await env.call('glm_payload_preview', input));
    const decision = env.router.explain({ model: 'auto', request: previewRequest(input), task: { tool: 'glm_payload_preview' } });
    expect(output.model).toBe(decision.chain.find((entry) => entry.provider === 'glm')!.model);
    expect(output.routing.chain).toEqual(decision.chain.map((entry) => entry.model));
    expect(output.body).toMatchObject({ temperature: expect.any(Number), max_tokens: expect.any(Number), thinking: { type: 'disabled' } });
    expect(output.body).toEqual(await sentBody(input, output.model));
  });

  it('redacts keys in the payload and never shows the configured key', async () => {
    env = await startVendorSim();
    const result = await env.call('glm_payload_preview', { prompt: 'My key is sk-live1234567890abcdef and GLM 0123456789abcdef0123456789abcdef.AbCdEfGh12345678; password: hunter2', tools: [lookup] });
    const output = structuredOf<GlmPayloadPreviewOutput>(result);
    const user = (output.body['messages'] as Array<{ role: string; content: string }>).find((message) => message.role === 'user');
    expect(user?.content).toBe('My key is [redacted] and GLM [redacted]; password: [redacted]');
    const everything = JSON.stringify(result);
    for (const secret of ['sk-live1234567890abcdef', 'hunter2', 'AbCdEfGh12345678', 'glm-test-key.0123456789abcdef']) expect(everything).not.toContain(secret);
    // A tool schema property called "password" is not a secret.
    expect(JSON.stringify(output.body['tools'])).toContain('"password":{"type":"string"}');
  });

  it('refuses what GLM would refuse, Kimi models, and names GLM_API_KEY without GLM', async () => {
    env = await startVendorSim();
    const required = await env.call('glm_payload_preview', { prompt: 'x', tools: [lookup], tool_choice: 'required' });
    expect(textOf(required)).toMatch(/GLM would refuse this request before sending: GLM supports only tool_choice "auto"/);
    const kimi = await env.call('glm_payload_preview', { prompt: 'x', model: 'kimi-k2' });
    expect(textOf(kimi)).toMatch(/calls GLM \(Z\.ai\) models; kimi-k2-0905-preview is a kimi model/);
    await env.close();
    env = await startVendorSim({ glm: false });
    const missing = await env.call('glm_payload_preview', { prompt: 'x' });
    expect(textOf(missing)).toMatch(/^GLM_API_KEY is not set; glm_payload_preview needs a GLM \(Z\.ai\) API key/);
  });
});
