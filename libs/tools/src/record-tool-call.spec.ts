import { describe, expect, it } from '@jest/globals';
import { createMemoryStorage } from '@exai/storage';
import { recordToolCall } from './record-tool-call.js';
import { fakeServerOptions } from './test-support/tool-harness.js';
import type { ToolDependencies } from './tool-definition.js';

function dependencies(): { deps: ToolDependencies; warnings: string[] } {
  const warnings: string[] = [];
  const storage = createMemoryStorage().forUser('7f1c8a8e-8d0b-4c41-9d0e-3c9f0f1a2b3c');
  const logger = { debug: () => undefined, info: () => undefined, warn: (_object: unknown, message: string) => void warnings.push(message), error: () => undefined };
  return { deps: { ...fakeServerOptions({ storage }), logger, limits: { promptMaxChars: 60_000, maxFileBytes: 1 << 20, toolTimeoutMs: undefined, allowedRoots: [] }, enabledTools: () => [] }, warnings };
}

describe('recordToolCall', () => {
  // Found by the hostile-input run (tools/fuzz): a workflow's resend_prompt answer carries
  // `metadata: { tool_name }` without tokens, and recording it threw "reading 'input'".
  it('records a result whose metadata is not a model call, without usage and without a warning', async () => {
    const { deps, warnings } = dependencies();
    await recordToolCall(deps, 'planner').finish({ content: [{ type: 'text', text: '{}' }], structuredContent: { status: 'resend_prompt', continuation_id: 'c-1', metadata: { tool_name: 'planner' } } }, 12, false);
    expect(warnings).toEqual([]);
    expect(await deps.storage.toolCalls.list({ limit: 5 })).toEqual([expect.objectContaining({ tool: 'planner', status: 'success' })]);
    expect(await deps.storage.usage.list({ limit: 5 })).toEqual([]);
  });

  it('records a model call with its usage', async () => {
    const { deps, warnings } = dependencies();
    const metadata = { model: 'glm-4.5-flash', provider: 'glm', tokens: { input: 10, cached_input: 0, output: 5, reasoning: 0 }, cost_usd: 0.001, web_search_calls: 0 };
    await recordToolCall(deps, 'chat').finish({ content: [{ type: 'text', text: 'hi' }], structuredContent: { metadata } }, 20, false);
    expect(warnings).toEqual([]);
    expect(await deps.storage.usage.list({ limit: 5 })).toEqual([expect.objectContaining({ model: 'glm-4.5-flash', provider: 'glm', tool: 'chat' })]);
  });
});
