import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ExaiServerOptions } from '../../create-exai-mcp-server.js';
import { connectClient, fakeServerOptions, textOf } from '../../test-support/tool-harness.js';
import { ExpertRouter } from './expert-router.js';

/** A workflow response as the tests read it. */
export type StepOutput = Record<string, unknown> & {
  status: string;
  step_number: number;
  total_steps: number;
  next_step_required: boolean;
  continuation_id: string;
  required_actions?: string[];
  next_steps?: string;
  next_call?: { tool: string; arguments: Record<string, unknown> };
  expert_analysis?: Record<string, unknown>;
  metadata: Record<string, unknown>;
};

/** The structured output of a successful step (fails the test on a tool error, showing its text). */
export function outputOf(result: CallToolResult): StepOutput {
  if (result.isError) throw new Error(`unexpected tool error: ${textOf(result)}`);
  return result.structuredContent as StepOutput;
}

/** The message of a failed step (fails the test when the step succeeded). */
export function errorOf(result: CallToolResult): string {
  expect(result.isError).toBe(true);
  return textOf(result);
}

/** A temporary folder allowed by the file policy, with helpers to write files into it. */
export async function workspace(): Promise<{ root: string; file: (name: string, text: string) => Promise<string>; remove: () => Promise<void> }> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'exai-workflow-')));
  return {
    root,
    file: async (name, text) => {
      const path = join(root, name);
      await writeFile(path, text);
      return path;
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** Server options with a scripted expert and the workspace among the allowed folders. */
export function workflowServerOptions(
  root: string,
  overrides: Partial<Omit<ReturnType<typeof fakeServerOptions>, 'router'>> = {},
): ReturnType<typeof fakeServerOptions> & { router: ExpertRouter } {
  const router = new ExpertRouter();
  const settings: Partial<ExaiServerOptions> = { tools: { profile: 'full' }, ...overrides, limits: { allowedRoots: [root], ...overrides.limits } };
  return { ...fakeServerOptions(settings), router };
}

/** A connected client with a `step` helper for one workflow tool. */
export async function workflowClient(tool: string, options: ExaiServerOptions) {
  const client = await connectClient(options);
  return { ...client, step: (args: Record<string, unknown>) => client.call(tool, args) };
}
