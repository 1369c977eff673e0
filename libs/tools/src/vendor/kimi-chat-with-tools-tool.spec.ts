import { afterEach, describe, expect, it } from '@jest/globals';
import { textOf } from '../test-support/tool-harness.js';
import type { KimiChatWithToolsOutput } from './kimi-chat-with-tools-tool.js';
import { startVendorSim, structuredOf, type VendorSim } from './test-support/vendor-sim.js';

const weather = { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

describe('kimi_chat_with_tools', () => {
  let env: VendorSim | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it('returns the function calls to run, then answers from the tool results', async () => {
    env = await startVendorSim();
    const first = structuredOf<KimiChatWithToolsOutput>(await env.call('kimi_chat_with_tools', { messages: 'Weather in Oslo?', tools: [weather] }));
    expect(first.finish_reason).toBe('tool_calls');
    expect(first.tool_calls).toEqual([{ id: expect.stringMatching(/^functions\.get_weather:/), name: 'get_weather', arguments: '{"city":"sample"}', type: 'function' }]);
    expect(first.metadata).toMatchObject({ provider: 'kimi', model: 'kimi-k2-0905-preview' });
    const sent = env.requests('POST', '/v1/chat/completions')[0]!.body as { tools: unknown[] };
    expect(sent.tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: weather.parameters } }]);

    const second = structuredOf<KimiChatWithToolsOutput>(
      await env.call('kimi_chat_with_tools', {
        messages: [
          { role: 'user', content: 'Weather in Oslo?' },
          { role: 'assistant', content: '', tool_calls: first.tool_calls },
          { role: 'tool', tool_call_id: first.tool_calls[0]!.id, content: 'sunny, 21 °C' },
        ],
        tools: [weather],
      }),
    );
    expect(second.finish_reason).toBe('stop');
    expect(second.tool_calls).toEqual([]);
    expect(second.content).toContain('Tool result: sunny, 21 °C');
  });

  it("lets Kimi run $web_search itself and counts the searches", async () => {
    env = await startVendorSim();
    const result = await env.call('kimi_chat_with_tools', { messages: 'Latest news [[sim:search-rounds:2]]', use_websearch: true });
    const output = structuredOf<KimiChatWithToolsOutput>(result);
    expect(output.metadata.web_search_calls).toBe(2);
    expect(output.tool_calls).toEqual([]);
    const chats = env.requests('POST', '/v1/chat/completions');
    expect(chats).toHaveLength(3);
    expect((chats[0]!.body as { tools: unknown[] }).tools).toEqual([{ type: 'builtin_function', function: { name: '$web_search' } }]);
    expect(textOf(result)).toContain('(2 web searches)');
  });

  it('cancels the vendor request when the client cancels', async () => {
    env = await startVendorSim();
    const controller = new AbortController();
    const pending = env.client.callTool({ name: 'kimi_chat_with_tools', arguments: { messages: 'wait [[sim:hang]]' } }, undefined, { signal: controller.signal });
    await env.sim.waitFor((request) => request.path.endsWith('/chat/completions'));
    controller.abort();
    await expect(pending).rejects.toThrow();
    const aborted = await env.sim.waitFor((request) => request.path.endsWith('/chat/completions') && request.aborted);
    expect(aborted.aborted).toBe(true);
  });

  it('refuses a tool message without tool_call_id and names KIMI_API_KEY without Kimi', async () => {
    env = await startVendorSim();
    const bad = await env.call('kimi_chat_with_tools', { messages: [{ role: 'user', content: 'x' }, { role: 'tool', content: 'y' }] });
    expect(textOf(bad)).toMatch(/messages\[1\] is a tool message without tool_call_id/);
    await env.close();
    env = await startVendorSim({ kimi: false });
    const missing = await env.call('kimi_chat_with_tools', { messages: 'x' });
    expect(textOf(missing)).toMatch(/^KIMI_API_KEY is not set; kimi_chat_with_tools needs a Kimi \(Moonshot\) API key/);
  });
});
