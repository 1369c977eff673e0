import { describe, expect, it } from '@jest/globals';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { FakeRouter } from '../../test-support/fake-router.js';
import { connectClient, fakeServerOptions, textOf } from '../../test-support/tool-harness.js';

type Output = Record<string, unknown> & {
  status: string;
  continuation_id: string;
  total_steps: number;
  next_steps: string;
  required_actions?: string[];
  next_call?: { arguments: Record<string, unknown> };
  docgen_progress: { files_documented: number; total_files: number; remaining: number; document_complexity: boolean; update_existing: boolean };
};
const out = (result: CallToolResult): Output => {
  expect(result.isError).toBeFalsy();
  return result.structuredContent as Output;
};

const step = (number: number, documented: number, total: number, more: boolean, extra: Record<string, unknown> = {}) => ({
  step: `docgen step ${number}`,
  step_number: number,
  total_steps: total + 1,
  next_step_required: more,
  findings: `documented ${documented}`,
  num_files_documented: documented,
  total_files_to_document: total,
  ...extra,
});

describe('docgen', () => {
  it('discovers first, documents one file per step and finishes when the counters match', async () => {
    const options = fakeServerOptions({ tools: { profile: 'full' } });
    const { call, close } = await connectClient(options);
    const first = out(await call('docgen', step(1, 0, 0, true, { document_complexity: false })));
    expect(first.status).toBe('pause_for_docgen');
    expect(first.required_actions!.join('\n')).toContain('discovery only');
    expect(first.next_steps).toContain(`continuation_id ${first.continuation_id}`);
    const id = first.continuation_id;

    const second = out(await call('docgen', step(2, 1, 2, true, { continuation_id: id })));
    expect(second.docgen_progress).toMatchObject({ files_documented: 1, total_files: 2, remaining: 1, document_complexity: false, update_existing: true });
    expect(second.total_steps).toBe(3);
    expect(second.required_actions!.join('\n')).not.toContain('Big O');
    expect(second.next_call!.arguments).toMatchObject({ step_number: 3, num_files_documented: 2, total_files_to_document: 2, next_step_required: false, continuation_id: id });

    const early = await call('docgen', step(3, 1, 2, false, { continuation_id: id }));
    expect(early.isError).toBe(true);
    expect(textOf(early)).toContain('docgen cannot finish: 1 of 2 files documented');

    const done = out(await call('docgen', step(3, 2, 2, false, { continuation_id: id })));
    await close();
    expect(done.status).toBe('docgen_complete');
    expect(done.next_steps).toContain('2 of 2 files');
    expect((options.router as FakeRouter).calls).toHaveLength(0);
  });

  it('refuses counters that skip files, go backwards, exceed the total or document during discovery', async () => {
    const { call, close } = await connectClient(fakeServerOptions({ tools: { profile: 'full' } }));
    const during = await call('docgen', step(1, 1, 3, true));
    expect(textOf(during)).toContain('step 1 is discovery');
    const id = out(await call('docgen', step(1, 0, 3, true))).continuation_id;
    const jump = await call('docgen', step(2, 2, 3, true, { continuation_id: id }));
    expect(textOf(jump)).toContain('jumped from 0 to 2: document one file per step');
    const over = await call('docgen', step(2, 4, 3, true, { continuation_id: id }));
    expect(textOf(over)).toContain('exceeds total_files_to_document');
    out(await call('docgen', step(2, 1, 3, true, { continuation_id: id })));
    // A retried step compares with the step before it, not with itself.
    out(await call('docgen', step(2, 1, 3, true, { continuation_id: id })));
    out(await call('docgen', step(3, 2, 3, true, { continuation_id: id })));
    const back = await call('docgen', step(4, 1, 3, true, { continuation_id: id }));
    expect(textOf(back)).toContain('went down from 2 to 1');
    await close();
  });

  it('finishes at discovery when there is nothing to document', async () => {
    const { call, close } = await connectClient(fakeServerOptions({ tools: { profile: 'full' } }));
    const done = out(await call('docgen', step(1, 0, 0, false)));
    await close();
    expect(done.status).toBe('docgen_complete');
    expect(done.next_steps).toContain('nothing to document');
  });

  it('requires both counters and is served in the full profile only', async () => {
    const full = await connectClient(fakeServerOptions({ tools: { profile: 'full' } }));
    const tool = (await full.client.listTools()).tools.find((candidate) => candidate.name === 'docgen')!;
    const missing = await full.call('docgen', { step: 'x', step_number: 1, total_steps: 2, next_step_required: true, findings: 'x' });
    await full.close();
    expect(tool.inputSchema.required).toEqual(expect.arrayContaining(['num_files_documented', 'total_files_to_document']));
    expect(tool.inputSchema.properties).not.toHaveProperty('model');
    expect(tool.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false });
    expect(missing.isError).toBe(true);
    const standard = await connectClient(fakeServerOptions({ tools: { profile: 'standard' } }));
    expect((await standard.client.listTools()).tools.map((candidate) => candidate.name)).not.toContain('docgen');
    await standard.close();
  });
});
