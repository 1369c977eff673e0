import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ZodRawShape, ZodType } from 'zod';
import type { AnyExaiTool } from '../../tool-definition.js';
import { defineWorkflowTool, type WorkflowSpec, type workflowStepShape } from '../workflow-engine.js';

/** Common step fields that only matter when a model is called. */
const MODEL_FIELDS = ['model', 'temperature', 'thinking_mode', 'use_assistant_model'] as const;

type StepField = keyof typeof workflowStepShape;

/** How a tool that calls no model trims and adapts the common step schema. */
export interface LocalWorkflowOptions {
  /** Further common fields the tool does not use (the model fields are always dropped). */
  omit?: readonly StepField[];
  /** New descriptions or types for common fields, without making them tool fields kept in `state.extra`. */
  override?: Partial<Record<StepField, ZodType>>;
  /** Fills common fields the schema no longer asks for (the planner's `findings` is its `step`). */
  prepare?(input: Record<string, unknown>): Record<string, unknown>;
}

/**
 * A workflow tool on the shared engine that never calls a model (planner, docgen, tracer). Fields it
 * cannot use are left out of its schema: `tools/list` is paid for in every client's context, and a
 * `model` field on a tool that calls none would mislead (#162 was a `model` wrongly required).
 * A `next_call` the tool built itself gets the response's continuation id.
 */
export function defineLocalWorkflowTool<Extra extends ZodRawShape>(spec: WorkflowSpec<Extra>, options: LocalWorkflowOptions = {}): AnyExaiTool {
  if (spec.expert) throw new Error(`${spec.name}: a local workflow tool has no expert`);
  const tool = defineWorkflowTool(spec);
  const omitted = new Set<string>([...MODEL_FIELDS, ...(options.omit ?? [])]);
  const inputShape: ZodRawShape = Object.fromEntries(
    Object.entries(tool.inputShape as ZodRawShape)
      .filter(([key]) => key in spec.extraShape || !omitted.has(key))
      .map(([key, schema]) => [key, (key in spec.extraShape ? undefined : options.override?.[key as StepField]) ?? schema]),
  );
  const prepare = options.prepare ?? ((input: Record<string, unknown>) => input);
  return {
    ...tool,
    inputShape,
    run: async (input, context) => fillContinuationId(await tool.run(prepare(input as Record<string, unknown>), context)),
  };
}

function fillContinuationId(result: CallToolResult): CallToolResult {
  const output = result.structuredContent;
  const continuationId = output?.['continuation_id'];
  const nextCall = output?.['next_call'] as { tool: string; arguments: Record<string, unknown> } | undefined;
  if (result.isError || !output || typeof continuationId !== 'string' || !nextCall || nextCall.arguments['continuation_id'] !== undefined) return result;
  // Keys a tool set to undefined (the engine's file_context, say) are dropped, not sent as null.
  const filled: Record<string, unknown> = Object.fromEntries(Object.entries(output).filter(([, value]) => value !== undefined));
  filled['next_call'] = { ...nextCall, arguments: { ...nextCall.arguments, continuation_id: continuationId } };
  // The same rendering as the engine's: the response as JSON text and as structured content.
  return { ...result, content: [{ type: 'text', text: JSON.stringify(filled, null, 2) }], structuredContent: filled };
}
