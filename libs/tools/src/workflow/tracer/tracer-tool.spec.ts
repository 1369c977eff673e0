import { describe, expect, it } from '@jest/globals';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { connectClient, fakeServerOptions, textOf } from '../../test-support/tool-harness.js';

type Output = Record<string, unknown> & {
  status: string;
  continuation_id: string;
  next_steps: string;
  required_actions?: string[];
  next_call?: { arguments: Record<string, unknown> };
  rendering_instructions?: string;
};
const out = (result: CallToolResult): Output => {
  expect(result.isError).toBeFalsy();
  return result.structuredContent as Output;
};

const base = { step: 'Trace how a login request reaches the session store', total_steps: 2, findings: 'starting', target_description: 'login flow, to find where sessions are written' };

describe('tracer', () => {
  it('asks the user to choose a mode when trace_mode is ask (the default), then traces in the chosen mode', async () => {
    const { call, close } = await connectClient(fakeServerOptions({ tools: { profile: 'full' } }));
    const ask = out(await call('tracer', { ...base, step_number: 1, next_step_required: true }));
    expect(ask.status).toBe('mode_selection_required');
    expect(ask['mode_options']).toEqual({ precision: expect.stringContaining('Execution flow'), dependencies: expect.stringContaining('Structure') });
    expect(ask.required_actions![0]).toContain('Ask the user');
    expect(ask.next_steps).toContain(`continuation_id ${ask.continuation_id}`);
    expect(ask.next_call!.arguments).toMatchObject({ step_number: 1, trace_mode: '<precision|dependencies>', continuation_id: ask.continuation_id });

    const cannotFinish = await call('tracer', { ...base, step_number: 2, next_step_required: false, continuation_id: ask.continuation_id });
    expect(textOf(cannotFinish)).toContain('cannot finish before its mode is chosen');

    const first = out(await call('tracer', { ...base, step_number: 1, next_step_required: true, trace_mode: 'precision', continuation_id: ask.continuation_id }));
    expect(first.status).toBe('pause_for_tracing');
    expect(first['trace_mode']).toBe('precision');
    expect(first.required_actions!.join('\n')).toContain('call chain');
    // The mode chosen at step 1 holds for the later steps.
    const done = out(await call('tracer', { ...base, step: 'followed the calls', step_number: 2, next_step_required: false, continuation_id: first.continuation_id }));
    await close();
    expect(done.status).toBe('trace_complete');
    expect(done['trace_mode']).toBe('precision');
    expect(done.rendering_instructions).toContain('CALL FLOW');
    expect(done.rendering_instructions).toContain('SIDE EFFECTS');
    expect(done['target_description']).toBe(base.target_description);
  });

  it('renders a dependency diagram in dependencies mode', async () => {
    const { call, close } = await connectClient(fakeServerOptions({ tools: { profile: 'full' } }));
    const first = out(await call('tracer', { ...base, step_number: 1, next_step_required: true, trace_mode: 'dependencies' }));
    expect(first.required_actions!.join('\n')).toContain('who imports or calls it');
    const done = out(await call('tracer', { ...base, step_number: 2, next_step_required: false, continuation_id: first.continuation_id, confidence: 'high' }));
    await close();
    expect(done.status).toBe('trace_complete');
    expect(done.rendering_instructions).toContain('DEPENDENCY DIAGRAM');
    expect(done.rendering_instructions).toContain('INCOMING');
  });

  it('keeps two clients’ traces apart when they run at once', async () => {
    const options = fakeServerOptions({ tools: { profile: 'full' } });
    const [alice, bob] = await Promise.all([connectClient(options), connectClient(options)]);
    const [a1, b1] = await Promise.all([
      alice.call('tracer', { ...base, step_number: 1, next_step_required: true, trace_mode: 'precision' }),
      bob.call('tracer', { ...base, step_number: 1, next_step_required: true, trace_mode: 'dependencies' }),
    ]);
    const [a2, b2] = await Promise.all([
      alice.call('tracer', { ...base, step_number: 2, next_step_required: false, continuation_id: out(a1).continuation_id }),
      bob.call('tracer', { ...base, step_number: 2, next_step_required: false, continuation_id: out(b1).continuation_id }),
    ]);
    await Promise.all([alice.close(), bob.close()]);
    expect(out(a2)['trace_mode']).toBe('precision');
    expect(out(b2)['trace_mode']).toBe('dependencies');
  });

  it('lists trace_mode and no model field', async () => {
    const { client, close } = await connectClient(fakeServerOptions({ tools: { profile: 'full' } }));
    const tool = (await client.listTools()).tools.find((candidate) => candidate.name === 'tracer')!;
    await close();
    expect(tool.inputSchema.properties).toHaveProperty('trace_mode');
    expect(tool.inputSchema.properties).not.toHaveProperty('model');
    expect(tool.inputSchema.properties).not.toHaveProperty('issues_found');
    expect(tool.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false });
  });
});
