import { isAutoModelName, type RoutedCall } from '@exai/router';
import type { ChatMessage, ChatRequest, ModelInfo, UserMessage } from '@exai/router/spec';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z, type ZodRawShape } from 'zod';
import { buildHistory } from '../conversation/build-history.js';
import { estimateTokens } from '../conversation/estimate-tokens.js';
import { fileAccessPolicyOf } from '../files/file-access.js';
import { loadImages, MAX_IMAGES, requireVision } from '../files/load-images.js';
import { runModelCall } from '../model-call.js';
import { resultMetadata } from '../result-metadata.js';
import { defineTool, type AnyExaiTool, type ToolContext, type ToolProfile } from '../tool-definition.js';
import { ToolInputError } from '../tool-input-error.js';
import { buildExpertContext, workSummary } from './expert-context.js';
import { parseExpertReply, PROMOTED_EXPERT_STATUSES, type ExpertAnalysis } from './expert-reply.js';
import { checkAllowedPaths, embedRelevantFiles, requireAbsolutePaths, type EmbeddedWorkflowFiles } from './workflow-files.js';
import { EXPERT_CONSIDERATIONS, expertNextSteps, localNextSteps, nextCall, pauseNextSteps } from './workflow-guidance.js';
import { workflowOutputShape } from './workflow-output.js';
import { applyStep, emptyWorkflowState, loadWorkflowState, saveWorkflowState, type WorkflowState } from './workflow-state.js';
import { workflowStepShape, type WorkflowStepInput } from './workflow-step-schema.js';
import { recordWorkflowTurn, requireThread, startThread, type WorkflowTurn } from './workflow-thread.js';

export type { WorkflowState, WorkflowStepRecord } from './workflow-state.js';
export { confidenceLevels, workflowStepShape, type WorkflowStepInput } from './workflow-step-schema.js';
export type { ExpertAnalysis } from './expert-reply.js';

/** A step's input: the common fields plus the tool's own. */
export type WorkflowInput<Extra extends ZodRawShape> = WorkflowStepInput & z.infer<z.ZodObject<Extra>>;

/** A step's input once the engine has the thread: on step 1 too, `continuation_id` is set (a new thread's when none was given). */
export type WorkflowStep<Extra extends ZodRawShape> = WorkflowInput<Extra> & { continuation_id: string };

/** The expert model a workflow consults on its final step. */
export interface WorkflowExpert<Extra extends ZodRawShape> {
  systemPrompt: string;
  /** The routing tier the analysis needs (`task.category`). */
  category: 'fast' | 'balanced' | 'deep';
  /** Default thinking level when the call gives none (default `high`). */
  thinkingMode?: 'off' | 'minimal' | 'low' | 'medium' | 'high' | 'max';
  /** The tool's reason to skip the expert (`certain` confidence, internal validation), or undefined. */
  skip?(input: WorkflowInput<Extra>, state: WorkflowState): string | undefined;
  /** Tool context added to the standard expert context (review type, focus, the changeset, …). */
  buildContext?(input: WorkflowInput<Extra>, state: WorkflowState): string;
  /**
   * True when the tool gathered material of its own for the expert (precommit's git diff): it counts
   * like relevant files, so the expert runs even on a single step without files or issues.
   */
  hasOwnMaterial?(input: WorkflowInput<Extra>, state: WorkflowState): boolean;
}

/**
 * A multi-step workflow tool on the shared engine. Hooks run in this order on every step:
 * `validate`, then (once the thread exists, so `input.continuation_id` is set even at step 1)
 * `onStep`, then `requiredActions` on a paused step or `expert.skip`, `expert.hasOwnMaterial`,
 * `expert.buildContext` and `complete` on the final one.
 */
export interface WorkflowSpec<Extra extends ZodRawShape> {
  name: string;
  title: string;
  /** One or two sentences: `tools/list` carries it for every client. */
  description: string;
  profile: ToolProfile;
  /** The tool's own input fields (kept in `state.extra` across steps). */
  extraShape: Extra;
  /** Status of a paused step, such as `pause_for_investigation`. */
  pauseStatus: string;
  /** Replaces the standard confidence levels (refactor: exploring|incomplete|partial|complete). */
  confidenceLevels?: readonly string[];
  /** What the agent must do before its next call, by step and confidence. */
  requiredActions(input: WorkflowInput<Extra>, state: WorkflowState): string[];
  /**
   * The tool's own fields that hold paths (refactor's `style_guide_examples`): checked against the
   * file policy at every step, as `relevant_files` and `images` are, so a path outside the allowed
   * folders fails the step that names it.
   */
  pathFields?: ReadonlyArray<keyof Extra & string>;
  /** Throws `ToolInputError` for inputs the schema cannot express; `state` already includes this step. */
  validate?(input: WorkflowInput<Extra>, state: WorkflowState): void;
  /** The expert consulted at the end; without one the workflow completes by itself. */
  expert?: WorkflowExpert<Extra>;
  /**
   * Side work of every step (precommit runs git here). It may change `state.extra`, which is
   * saved after it; the keys it returns are merged into the response (and may replace `status`).
   */
  onStep?(input: WorkflowStep<Extra>, state: WorkflowState, context: ToolContext): Promise<Record<string, unknown> | void>;
  /** Extra keys of the final response (merged last, so they may replace any key); `outcome` says how it ended. */
  complete?(input: WorkflowInput<Extra>, state: WorkflowState, outcome: WorkflowOutcome): Record<string, unknown>;
  /** The noun of `<noun>_status` and `complete_<noun>` (default: the tool name; debug: `investigation`). */
  statusNoun?: string;
  /** Overrides the default annotations (read-only; open-world when an expert is called). */
  annotations?: Partial<ToolAnnotations>;
}

/** How the final step ended, for {@link WorkflowSpec.complete}. */
export interface WorkflowOutcome {
  /** The response status so far (`calling_expert_analysis`, `skipped_expert_analysis`, a promoted expert status, `<noun>_complete`). */
  status: string;
  expertAnalysis?: ExpertAnalysis;
  skipReason?: string;
}

/** Share of the expert model's input window given to embedded files. */
const FILE_SHARE = 0.6;
/** Characters per token when turning a token window into a character budget (conservative for code). */
const CHARS_PER_TOKEN = 3;

/**
 * Builds a workflow tool. Its state lives in `deps.storage.workflows` under the continuation id
 * and tool name, never on the tool object, so concurrent clients cannot see each other's work.
 */
export function defineWorkflowTool<Extra extends ZodRawShape>(spec: WorkflowSpec<Extra>): AnyExaiTool {
  const inputShape = {
    ...workflowStepShape,
    ...(spec.confidenceLevels ? { confidence: z.enum(spec.confidenceLevels as [string, ...string[]]).optional() } : {}),
    ...spec.extraShape,
  };
  return defineTool({
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputShape,
    outputShape: workflowOutputShape,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: spec.expert !== undefined, ...spec.annotations },
    profile: spec.profile,
    run: (input, context) => runWorkflowStep(spec, input as WorkflowInput<Extra>, context),
  });
}

/** One call of a workflow tool (zen-lineage §1b "Execution"). */
async function runWorkflowStep<Extra extends ZodRawShape>(spec: WorkflowSpec<Extra>, given: WorkflowInput<Extra>, context: ToolContext): Promise<CallToolResult> {
  const { deps } = context;
  const oversized = oversizedField(given, deps.limits.promptMaxChars);
  if (oversized) return resendPrompt({ tool: spec.name, input: given, oversized, limit: deps.limits.promptMaxChars });
  checkStepInput(given);
  await checkAllowedPaths(deps, 'relevant_files', given.relevant_files);
  await checkAllowedPaths(deps, 'images', given.images);
  const previous = await restoreState({ tool: spec.name, input: given, deps });
  const state = applyStep(previous, { input: given, extraKeys: Object.keys(spec.extraShape) });
  spec.validate?.(given, state);
  for (const field of spec.pathFields ?? []) await checkAllowedPaths(deps, field, (given as Record<string, unknown>)[field] as string[] | undefined);

  // Only a valid step 1 starts a thread; from here on the tool's hooks see its id in the input.
  const continuationId = given.continuation_id ?? (await startThread(deps, spec.name));
  const input: WorkflowStep<Extra> = { ...given, continuation_id: continuationId };
  const stepExtras = (await spec.onStep?.(input, state, context)) ?? {};
  const totalSteps = Math.max(input.total_steps, input.step_number);
  await saveWorkflowState(deps.storage.workflows, { continuationId, tool: spec.name, state, stepNumber: input.step_number, totalSteps, now: deps.now?.() ?? new Date() });

  const noun = spec.statusNoun ?? spec.name;
  const base: Record<string, unknown> = {
    step_number: input.step_number,
    total_steps: totalSteps,
    next_step_required: input.next_step_required,
    continuation_id: continuationId,
    [`${noun}_status`]: statusCounts(state),
    metadata: { tool_name: spec.name },
  };
  if (!input.next_step_required) return completeWorkflow(spec, { input, state, base, stepExtras, context, continuationId });
  const requiredActions = spec.requiredActions(input, state);
  return respond({
    status: spec.pauseStatus,
    ...base,
    required_actions: requiredActions,
    next_steps: pauseNextSteps({ tool: spec.name, stepNumber: input.step_number, requiredActions, continuationId }),
    next_call: nextCall({ tool: spec.name, stepNumber: input.step_number, totalSteps, continuationId }),
    // Intermediate steps only name the files; their contents reach the expert once, at the end.
    file_context: { type: 'reference_only', files: state.relevantFiles },
    ...stepExtras,
  });
}

/** Checks what the schema cannot: whole numbers, absolute paths, a backtrack target not in the future. */
function checkStepInput(input: WorkflowStepInput): void {
  for (const field of ['step_number', 'total_steps', 'backtrack_from_step'] as const) {
    const value = input[field];
    if (value !== undefined && !Number.isInteger(value)) throw new ToolInputError(field, `${field} must be a whole number, not ${value}.`);
  }
  requireAbsolutePaths('files_checked', input.files_checked);
  requireAbsolutePaths('relevant_files', input.relevant_files);
  requireAbsolutePaths('images', input.images);
  if (input.backtrack_from_step !== undefined && input.backtrack_from_step > input.step_number) {
    throw new ToolInputError('backtrack_from_step', `backtrack_from_step (${input.backtrack_from_step}) must not be after step_number (${input.step_number}).`);
  }
}

/** The final step: the expert (or the reason it is skipped), the completion fields, and the outcome recorded in the thread. */
async function completeWorkflow<Extra extends ZodRawShape>(
  spec: WorkflowSpec<Extra>,
  options: { input: WorkflowInput<Extra>; state: WorkflowState; base: Record<string, unknown>; stepExtras: Record<string, unknown>; context: ToolContext; continuationId: string },
): Promise<CallToolResult> {
  const { input, state, context, continuationId } = options;
  const noun = spec.statusNoun ?? spec.name;
  const completion: Record<string, unknown> = { ...options.base };
  if (input.step_number < input.total_steps) {
    completion['early_termination_reason'] = `Finished at step ${input.step_number} of an estimated ${input.total_steps}: next_step_required was false.`;
  }
  const outcome: WorkflowOutcome = { status: `${noun}_complete` };
  const turn: Omit<WorkflowTurn, 'continuationId' | 'tool' | 'user'> = { assistant: workSummary(state), files: [] };
  const skipReason = expertSkipReason(spec, { input, state });
  if (!spec.expert) {
    Object.assign(completion, { status: outcome.status, next_steps: localNextSteps(spec.name) });
  } else if (skipReason !== undefined) {
    outcome.skipReason = skipReason;
    Object.assign(completion, { status: 'skipped_expert_analysis', skip_reason: skipReason, expert_analysis: { status: 'skipped', reason: skipReason }, next_steps: localNextSteps(spec.name) });
    turn.assistant = `${workSummary(state)}\n\nExpert analysis skipped: ${skipReason}`;
  } else {
    const expert = await callExpert(spec, { expert: spec.expert, input, state, context, continuationId });
    outcome.expertAnalysis = expert.analysis;
    Object.assign(completion, {
      status: 'calling_expert_analysis',
      expert_analysis: expert.analysis,
      important_considerations: EXPERT_CONSIDERATIONS,
      next_steps: expertNextSteps(spec.name),
      file_context: { type: 'fully_embedded', files_embedded: expert.files.embedded, files_skipped: expert.files.skipped },
      metadata: { tool_name: spec.name, ...expert.metadata },
    });
    const promoted = expert.analysis.status;
    if (PROMOTED_EXPERT_STATUSES.includes(promoted)) {
      completion['status'] = promoted;
      completion['next_steps'] = promotedNextSteps({ tool: spec.name, status: promoted, stepNumber: input.step_number, continuationId });
    }
    const raw = expert.analysis['raw_analysis'];
    Object.assign(turn, { assistant: typeof raw === 'string' ? raw : JSON.stringify(expert.analysis, null, 2), files: expert.files.embedded, model: expert.model });
  }
  outcome.status = String(completion['status']);
  completion[`complete_${noun}`] = {
    initial_request: state.initialRequest,
    steps_taken: input.step_number,
    files_examined: state.filesChecked,
    relevant_files: state.relevantFiles,
    relevant_context: state.relevantContext,
    issues_found: state.issues,
    work_summary: workSummary(state),
  };
  const output = { ...completion, ...options.stepExtras, ...spec.complete?.(input, state, outcome) };
  await recordOutcome({ ...turn, continuationId, tool: spec.name, user: outcomeRequest(spec.name, state) }, context);
  return respond(output);
}

/** `next_steps` when the expert asked for more before it can conclude. */
function promotedNextSteps(options: { tool: string; status: string; stepNumber: number; continuationId: string }): string {
  const next = `call ${options.tool} again with step_number ${options.stepNumber + 1} and continuation_id ${options.continuationId}`;
  return options.status === 'files_required_to_continue'
    ? `The expert needs more material first (see expert_analysis). Gather it, then ${next}, listing the files in relevant_files, with next_step_required=false.`
    : `The expert asks for more work first (see expert_analysis). Do it, then ${next}.`;
}

/** The state to continue from: fresh at step 1 (even on an existing thread), stored otherwise. */
async function restoreState(options: { tool: string; input: WorkflowStepInput; deps: ToolContext['deps'] }): Promise<WorkflowState> {
  const { tool, input, deps } = options;
  const continuationId = input.continuation_id;
  if (input.step_number === 1) {
    if (continuationId !== undefined) await requireThread(deps, continuationId);
    return emptyWorkflowState(input.step);
  }
  if (continuationId === undefined) {
    throw new ToolInputError('continuation_id', `step_number ${input.step_number} needs the continuation_id that step 1 of ${tool} returned; to start over, send step_number 1.`);
  }
  const state = await loadWorkflowState(deps.storage.workflows, { continuationId, tool });
  if (!state) {
    throw new ToolInputError('continuation_id', `No ${tool} workflow is in progress for continuation_id ${continuationId} (never started with ${tool}, or expired); start again with step_number 1.`);
  }
  return state;
}

/** Why the expert is not consulted, or undefined when it is (zen-lineage §1b step 5). */
function expertSkipReason<Extra extends ZodRawShape>(spec: WorkflowSpec<Extra>, step: { input: WorkflowInput<Extra>; state: WorkflowState }): string | undefined {
  const { input, state } = step;
  if (!spec.expert) return undefined;
  if (input.use_assistant_model === false) return 'use_assistant_model is false';
  const toolReason = spec.expert.skip?.(input, state);
  if (toolReason !== undefined) return toolReason;
  const findings = state.steps.filter((step) => step.findings.trim() !== '').length;
  if (state.relevantFiles.length === 0 && findings < 2 && state.issues.length === 0 && !spec.expert.hasOwnMaterial?.(input, state)) {
    return 'nothing for an expert to analyse yet: no relevant_files, no issues_found and fewer than two steps with findings';
  }
  return undefined;
}

/** Embeds the files, calls the expert model and parses its reply. */
async function callExpert<Extra extends ZodRawShape>(
  spec: WorkflowSpec<Extra>,
  options: { expert: WorkflowExpert<Extra>; input: WorkflowInput<Extra>; state: WorkflowState; context: ToolContext; continuationId: string },
): Promise<{ analysis: ExpertAnalysis; metadata: Record<string, unknown>; files: EmbeddedWorkflowFiles; model: { id: string; provider: string } }> {
  const { expert, input, state, context } = options;
  const { deps } = context;
  const task = { tool: spec.name, category: expert.category };
  const info = expertModel(deps.router, { model: input.model, task });
  const budgetChars = Math.max(0, Math.floor((info.contextWindow - info.maxOutputTokens) * FILE_SHARE * CHARS_PER_TOKEN));
  const files = state.relevantFiles.length > 0 ? await embedRelevantFiles(deps, state.relevantFiles, { budgetChars, signal: context.signal }) : { text: '', embedded: [], skipped: [] };
  // The newest images when the steps gathered more than a call may carry.
  const imagePaths = state.images.slice(-MAX_IMAGES);
  if (imagePaths.length > 0 && input.model !== undefined && !isAutoModelName(input.model)) requireVision(info, deps.router);
  const images = imagePaths.length > 0 ? await loadImages(imagePaths, { policy: fileAccessPolicyOf(deps), ...(context.signal ? { signal: context.signal } : {}) }) : [];
  const text = buildExpertContext({ tool: spec.name, state, toolContext: expert.buildContext?.(input, state) ?? '', filesText: files.text });
  const user: UserMessage = images.length > 0 ? { role: 'user', content: [{ type: 'text', text }, ...images] } : { role: 'user', content: text };
  // A workflow continuing a thread (a chat, an earlier workflow) shows the expert that conversation too.
  const history = await threadHistory(deps, options.continuationId, {
    model: info,
    requestFiles: files.embedded,
    requestFileChars: files.text.length,
    requestTokens: estimateTokens(expert.systemPrompt) + estimateTokens(text),
    signal: context.signal,
  });
  const request: ChatRequest = { messages: [{ role: 'system', content: expert.systemPrompt }, ...history, user] };
  const thinking = input.thinking_mode ?? expert.thinkingMode ?? 'high';
  request.thinking = thinking === 'off' ? { enabled: false } : { enabled: true, level: thinking };
  if (input.temperature !== undefined) request.temperature = input.temperature;
  const call: RoutedCall = { request, task };
  if (input.model !== undefined) call.model = input.model;
  if (deps.session !== undefined) call.session = deps.session;

  const started = Date.now();
  const result = await runModelCall(deps.router, call, context);
  const metadata = resultMetadata(result, { durationMs: Date.now() - started, streamed: context.progress !== undefined, continuationId: options.continuationId });
  context.logger.info({ tool: spec.name, model: result.model.id, attempts: result.attempts, costUsd: result.costUsd, durationMs: metadata.duration_ms }, 'expert analysis answered');
  return { analysis: parseExpertReply(result.text), metadata: { ...metadata }, files, model: { id: result.model.id, provider: result.model.provider } };
}

/** The thread's earlier turns as messages within the model's history budget (none for a thread of this workflow alone). */
async function threadHistory(
  deps: ToolContext['deps'],
  continuationId: string,
  options: { model: ModelInfo; requestFiles: readonly string[]; requestFileChars: number; requestTokens: number; signal: AbortSignal | undefined },
): Promise<ChatMessage[]> {
  const turns = await deps.conversations.load(continuationId);
  if (!turns?.length) return [];
  const history = await buildHistory({
    turns,
    model: options.model,
    policy: fileAccessPolicyOf(deps),
    maxFileBytes: deps.limits.maxFileBytes,
    requestFiles: options.requestFiles,
    requestFileChars: options.requestFileChars,
    requestTokens: options.requestTokens,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return history.messages;
}

/** The model the router would pick, for the file budget; the answering model may still differ after a fallback. */
function expertModel(router: ToolContext['deps']['router'], call: { model: string | undefined; task: RoutedCall['task'] }): ModelInfo {
  const { model, task } = call;
  if (model !== undefined && !isAutoModelName(model)) return router.resolve(model).info;
  try {
    return router.resolve(router.explain({ request: { messages: [] }, ...(model ? { model } : {}), task }).model).info;
  } catch {
    return router.resolve(model).info;
  }
}

/** The agent's side of the recorded exchange: the request and the findings. */
function outcomeRequest(tool: string, state: WorkflowState): string {
  const files = state.relevantFiles.length ? `\n\nRelevant files: ${state.relevantFiles.join(', ')}` : '';
  return `${tool} workflow, ${state.steps.length} step(s): ${state.initialRequest}\n\nFindings:\n${workSummary(state)}${files}`;
}

/** Records the outcome as an exchange of the thread; a failure to record must not lose the analysis. */
async function recordOutcome(turn: WorkflowTurn, context: ToolContext): Promise<void> {
  try {
    await recordWorkflowTurn(context.deps, turn);
  } catch (error) {
    context.logger.warn({ tool: turn.tool, err: error, continuationId: turn.continuationId }, 'workflow outcome not recorded in the thread');
  }
}

/** Counts of what the workflow has gathered (`<tool>_status`). */
function statusCounts(state: WorkflowState): Record<string, unknown> {
  const last = [...state.steps].reverse().find((step) => step.confidence !== undefined);
  return {
    files_checked: state.filesChecked.length,
    relevant_files: state.relevantFiles.length,
    relevant_context: state.relevantContext.length,
    issues_found: state.issues.length,
    images_collected: state.images.length,
    hypotheses: state.steps.filter((step) => step.hypothesis !== undefined).length,
    current_confidence: last?.confidence ?? 'exploring',
    steps_recorded: state.steps.length,
  };
}

/** The text fields checked against `EXAI_PROMPT_MAX_CHARS`. */
function oversizedField(input: WorkflowStepInput, limit: number): { field: string; length: number } | undefined {
  if (input.step.length > limit) return { field: 'step', length: input.step.length };
  if (input.findings.length > limit) return { field: 'findings', length: input.findings.length };
  return undefined;
}

function resendPrompt(options: { tool: string; input: WorkflowStepInput; oversized: { field: string; length: number }; limit: number }): CallToolResult {
  const { tool, input, oversized, limit } = options;
  return respond({
    status: 'resend_prompt',
    step_number: input.step_number,
    total_steps: Math.max(input.total_steps, input.step_number),
    next_step_required: input.next_step_required,
    ...(input.continuation_id ? { continuation_id: input.continuation_id } : {}),
    content: `"${oversized.field}" is ${oversized.length} characters, over the ${limit}-character limit for tool arguments. Save the full text to a file, list its absolute path in relevant_files, and call ${tool} again with a short ${oversized.field} that refers to it.`,
    metadata: { tool_name: tool },
  });
}

/** A tool result with the response as text (for clients without structured output) and as structured content. */
function respond(output: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(output, null, 2) }], structuredContent: output };
}
