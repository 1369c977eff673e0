import { z } from 'zod';
import { ToolInputError } from '../../tool-input-error.js';
import { confidenceStage } from '../confidence-stage.js';
import { defineLocalWorkflowTool } from '../planner/local-workflow-tool.js';
import type { WorkflowInput, WorkflowState, WorkflowStep } from '../workflow-engine.js';
import { DEPENDENCIES_RENDERING, MODE_CHOICE, PRECISION_RENDERING, traceModes, type TraceMode } from './tracer-rendering.js';

const TOOL = 'tracer';

const extraShape = {
  trace_mode: z.enum(traceModes).optional().describe('precision: execution flow; dependencies: structure; ask (default): ask the user.'),
  target_description: z.string().optional().describe('What to trace and why.'),
};

type TracerInput = WorkflowInput<typeof extraShape>;

/** The mode in effect: the latest given (the engine keeps it in `state.extra`), `ask` until one is chosen. */
function modeOf(state: WorkflowState): TraceMode {
  const mode = state.extra['trace_mode'];
  return mode === 'precision' || mode === 'dependencies' ? mode : 'ask';
}

function validateTracerStep(input: TracerInput, state: WorkflowState): void {
  if (!input.next_step_required && modeOf(state) === 'ask') {
    throw new ToolInputError('trace_mode', 'a trace cannot finish before its mode is chosen: ask the user for trace_mode precision or dependencies, then trace');
  }
}

function tracerRequiredActions(input: TracerInput, state: WorkflowState): string[] {
  const mode = modeOf(state);
  if (mode === 'ask') {
    return [
      'Ask the user to choose the trace mode before investigating',
      `precision: ${MODE_CHOICE.precision}`,
      `dependencies: ${MODE_CHOICE.dependencies}`,
      'Wait for the answer, then call tracer again with the chosen trace_mode',
    ];
  }
  if (input.step_number === 1) {
    return [
      'Locate the target in the code: file, full signature, the class or module around it',
      'Read its implementation and understand its purpose',
      mode === 'precision' ? 'Start the call chain: what it calls, in order, and under which conditions' : 'Start the map: what it imports and calls, and who imports or calls it',
    ];
  }
  switch (confidenceStage(input.confidence)) {
    case 'early':
      return mode === 'precision'
        ? ['Follow each call one level deeper, with file:line', 'Find the conditions that choose between paths', 'Note side effects: writes, I/O, global state']
        : ['Find every caller and importer of the target', 'Follow each dependency one level out', 'Record inheritance, implemented interfaces and shared types'];
    case 'middle':
      return ['Check for missed paths: error handling, early returns, callbacks, events', 'Confirm each relation in the code rather than by name', 'Note what is still unverified'];
    default:
      return ['Verify the last open relations', 'Finish with next_step_required=false to get the rendering instructions'];
  }
}

/** Asks for the mode while it is `ask`; otherwise reports the mode in force. */
async function onTracerStep(input: WorkflowStep<typeof extraShape>, state: WorkflowState): Promise<Record<string, unknown>> {
  const mode = modeOf(state);
  if (mode !== 'ask') return { trace_mode: mode };
  return {
    status: 'mode_selection_required',
    trace_mode: 'ask',
    mode_options: MODE_CHOICE,
    next_steps: `Ask the user which trace they want: precision (execution flow) or dependencies (structure), explaining both as in mode_options. Do not investigate yet. Then call tracer again with step_number 1, continuation_id ${input.continuation_id}, the chosen trace_mode and target_description.`,
    next_call: {
      tool: TOOL,
      arguments: {
        step: input.step,
        step_number: 1,
        total_steps: input.total_steps,
        next_step_required: true,
        findings: '<none yet>',
        trace_mode: '<precision|dependencies>',
        ...(input.target_description ? { target_description: input.target_description } : {}),
      },
    },
  };
}

function completeTrace(_input: TracerInput, state: WorkflowState): Record<string, unknown> {
  const mode = modeOf(state);
  return {
    trace_mode: mode,
    ...(typeof state.extra['target_description'] === 'string' ? { target_description: state.extra['target_description'] } : {}),
    rendering_instructions: mode === 'precision' ? PRECISION_RENDERING : DEPENDENCIES_RENDERING,
    next_steps: `Trace complete. Present it to the user following rendering_instructions (${mode === 'precision' ? 'call-flow diagram' : 'dependency diagram'}), built from your findings and the code you read.`,
  };
}

/** `tracer`: guides a call-flow or dependency trace step by step and says how to draw it; no model call. */
export const tracerTool = defineLocalWorkflowTool(
  {
    name: TOOL,
    title: 'Trace code flow or dependencies',
    description: 'Trace a function’s execution flow (precision) or a module’s dependencies step by step; ends with instructions for drawing the diagram. No model call.',
    profile: 'full',
    extraShape,
    pauseStatus: 'pause_for_tracing',
    statusNoun: 'trace',
    requiredActions: tracerRequiredActions,
    validate: validateTracerStep,
    onStep: onTracerStep,
    complete: completeTrace,
  },
  { omit: ['issues_found', 'hypothesis', 'images', 'backtrack_from_step'] },
);
