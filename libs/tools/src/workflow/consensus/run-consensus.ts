import { isAutoModelName } from '@exai/router';
import type { ImagePart, ModelInfo } from '@exai/router/spec';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { allocateContextBudget } from '../../conversation/build-history.js';
import { tokensToChars } from '../../conversation/estimate-tokens.js';
import { loadContinuation, recordExchange } from '../../conversation/thread-turns.js';
import { embedFilesWithinBudget } from '../../files/embed-files.js';
import { fileAccessPolicyOf } from '../../files/file-access.js';
import { loadImages, requireVision } from '../../files/load-images.js';
import type { ToolContext } from '../../tool-definition.js';
import { ToolInputError } from '../../tool-input-error.js';
import { consensusOutput, consensusResult, renderVerdict, SYNTHESIS_GUIDANCE } from './consensus-output.js';
import { consensusUserPrompt } from './consensus-prompt.js';
import { loadConsensusState, saveConsensusState, type ConsensusStepState } from './consensus-state.js';
import { participantsOf, type ConsensusInput, type ConsensusParticipant } from './consensus-schema.js';
import { CONSENSUS_CONCURRENCY, consultParticipant, mapBounded, type ConsensusVerdict, type ConsultOptions } from './consult-models.js';

const TOOL = 'consensus';

/**
 * Runs `consensus`: the one-call form (no `step_number`) consults every model in parallel, at most
 * {@link CONSENSUS_CONCURRENCY} at once; the stepwise form consults model N at step N.
 */
export async function runConsensus(input: ConsensusInput, context: ToolContext): Promise<CallToolResult> {
  if (input.step.length > context.deps.limits.promptMaxChars) return resendPrompt(input.step.length, context.deps.limits.promptMaxChars);
  if (input.step_number === undefined && input.total_steps === undefined) return runOneCall(input, context);
  return runStep(input, context);
}

async function runOneCall(input: ConsensusInput, context: ToolContext): Promise<CallToolResult> {
  const participants = participantsOf(input.models);
  // An existing thread (a chat, say) gets the consensus appended; the models still see only the proposal.
  await loadContinuation(context.deps, input.continuation_id);
  const consult = await consultOptions(context, { proposal: input.step, participants, files: input.relevant_files ?? [], images: input.images ?? [] });
  let done = 0;
  const verdicts = await mapBounded(participants, {
    limit: CONSENSUS_CONCURRENCY,
    run: async (participant) => {
      const verdict = await consultParticipant(participant, consult);
      done += 1;
      reportProgress(context, `${verdict.model} (${verdict.stance}) ${verdict.status === 'ok' ? 'answered' : 'failed'} — ${done}/${participants.length}\n`);
      return verdict;
    },
  });
  await context.progress?.close();
  // A cancelled call ends as a cancelled call, not as a list of "cancelled" verdicts.
  context.signal?.throwIfAborted();
  if (verdicts.every((verdict) => verdict.status === 'error')) return allFailed(verdicts);

  const continuationId = await recordThread(context, { continuationId: input.continuation_id, userText: `Consensus proposal:\n${input.step}`, files: consult.files, images: input.images ?? [], verdicts, firstIndex: 0 });
  const output = consensusOutput(verdicts, {
    status: 'consensus_workflow_complete',
    next_steps: SYNTHESIS_GUIDANCE,
    ...(continuationId ? { continuation_id: continuationId } : {}),
  });
  context.logger.info({ tool: TOOL, models: participants.length, failed: output.models_failed, costUsd: output.total_cost_usd }, 'consensus gathered');
  return consensusResult(output);
}

async function runStep(input: ConsensusInput, context: ToolContext): Promise<CallToolResult> {
  const stepNumber = input.step_number;
  if (stepNumber === undefined) throw new ToolInputError('step_number', 'the stepwise form needs step_number (1 for the first model); omit total_steps for the one-call form');
  const workflows = context.deps.storage.workflows;
  let continuationId: string;
  let state: ConsensusStepState;
  if (stepNumber === 1) {
    const participants = participantsOf(input.models);
    await loadContinuation(context.deps, input.continuation_id);
    continuationId = input.continuation_id ?? (await context.deps.conversations.create(TOOL));
    state = { proposal: input.step, participants, files: input.relevant_files ?? [], images: input.images ?? [], verdicts: [], notes: [] };
  } else {
    if (input.continuation_id === undefined) {
      throw new ToolInputError('continuation_id', `step ${stepNumber} needs the continuation_id step 1 returned`);
    }
    continuationId = input.continuation_id;
    const stored = await loadConsensusState(workflows, continuationId);
    if (!stored) {
      throw new ToolInputError('continuation_id', `no consensus in progress for continuation_id ${continuationId} (unknown or expired); start again at step_number 1 with "models"`);
    }
    state = stored;
  }
  const total = state.participants.length;
  if (stepNumber > total) {
    throw new ToolInputError('step_number', `this consensus has ${total} models, so ${total} steps; all were consulted. Synthesise the verdicts, or start a new consensus at step_number 1`);
  }
  if (stepNumber > state.verdicts.length + 1) {
    throw new ToolInputError('step_number', `step ${stepNumber} skips ahead: the next step is ${state.verdicts.length + 1}`);
  }
  if (input.findings) state.notes.push({ step: stepNumber, findings: input.findings });

  // Every step sends the proposal of step 1, never this step's text: steps 2+ carry the caller's notes
  // on earlier verdicts, which would unblind the next model.
  const consult = await consultOptions(context, { proposal: state.proposal, participants: state.participants, files: state.files, images: state.images });
  const participant = state.participants[stepNumber - 1] as ConsensusParticipant;
  const verdict = await consultParticipant(participant, consult);
  reportProgress(context, `${verdict.model} (${verdict.stance}) ${verdict.status === 'ok' ? 'answered' : 'failed'} — ${stepNumber}/${total}\n`);
  await context.progress?.close();
  context.signal?.throwIfAborted();
  // A retried step replaces its verdict; the next step appends one.
  state.verdicts[stepNumber - 1] = verdict;
  await saveConsensusState(workflows, { continuationId, stepNumber, state, now: context.deps.now?.() ?? new Date() });
  // One exchange per step: the proposal (step 1) or the caller's notes, then this model's verdict.
  await recordThread(context, {
    continuationId,
    userText: stepNumber === 1 ? `Consensus proposal:\n${input.step}` : `Consensus step ${stepNumber}, notes:\n${[input.step, input.findings].filter(Boolean).join('\n\n')}`,
    files: stepNumber === 1 ? consult.files : [],
    images: stepNumber === 1 ? state.images : [],
    verdicts: [verdict],
    firstIndex: stepNumber - 1,
  });

  const complete = stepNumber === total;
  const output = consensusOutput(complete ? state.verdicts : [verdict], {
    status: complete ? 'consensus_workflow_complete' : 'model_consulted',
    next_steps: complete
      ? SYNTHESIS_GUIDANCE
      : `${verdict.model} gave its ${verdict.stance} verdict. Note what it adds, then call consensus with step_number ${stepNumber + 1}, continuation_id ${continuationId} and your notes in findings (they are never sent to the models).`,
    continuation_id: continuationId,
    step_number: stepNumber,
    total_steps: total,
    next_step_required: !complete,
  });
  // The models' own count: consulted and failed are over the whole consensus, not this step.
  if (!complete) {
    const summary = consensusOutput(state.verdicts, { status: output.status, next_steps: '' });
    output.models_consulted = summary.models_consulted;
    output.models_failed = summary.models_failed;
    output.total_cost_usd = summary.total_cost_usd;
  }
  return consensusResult(output, complete ? 0 : stepNumber - 1);
}

/**
 * Reads the files and images once; every model then receives the same proposal. The files get the
 * file budget of the smallest context among the models, so the one text fits them all.
 */
async function consultOptions(
  context: ToolContext,
  request: { proposal: string; participants: readonly ConsensusParticipant[]; files: readonly string[]; images: readonly string[] },
): Promise<ConsultOptions & { files: string[] }> {
  const { deps, signal } = context;
  const { proposal, participants, files, images } = request;
  const policy = fileAccessPolicyOf(deps);
  const resolved = new Map<string, ModelInfo>();
  for (const participant of participants) {
    try {
      resolved.set(participant.model, deps.router.resolve(participant.model).info);
    } catch {
      // An unknown model is reported as that model's failure, not here.
    }
  }
  const models = [...resolved.values()];
  if (images.length > 0) {
    // A named model must read images; "auto" lets the router pick one that can.
    for (const [name, info] of resolved) if (!isAutoModelName(name)) requireVision(info, deps.router);
  }
  const fileTokens = Math.min(...models.map((model) => allocateContextBudget(model).fileTokens));
  const common = { policy, maxFileBytes: deps.limits.maxFileBytes, ...(signal ? { signal } : {}) };
  const embedded =
    files.length > 0
      ? await embedFilesWithinBudget(files, { ...common, field: 'relevant_files', budgetChars: tokensToChars(Number.isFinite(fileTokens) ? fileTokens : 0) })
      : { text: '', embedded: [], skipped: [] };
  const loaded: ImagePart[] = images.length > 0 ? await loadImages(images, { policy, ...(signal ? { signal } : {}) }) : [];
  return {
    router: deps.router,
    logger: context.logger,
    userText: consensusUserPrompt(proposal, embedded.text ? [embedded.text] : []),
    images: loaded,
    session: deps.session,
    signal,
    files: embedded.embedded,
  };
}

function reportProgress(context: ToolContext, message: string): void {
  if (!context.progress) return;
  context.progress.add(message);
  context.progress.flush();
}

/**
 * Keeps the consensus as an exchange of a conversation thread (a new one unless given), so `chat` or
 * another tool can continue from it. The verdicts are already paid for: a storage failure is logged
 * and the result still returned, without a continuation id.
 */
async function recordThread(
  context: ToolContext,
  record: { continuationId: string | undefined; userText: string; files: string[]; images: readonly string[]; verdicts: ConsensusVerdict[]; firstIndex: number },
): Promise<string | undefined> {
  const answered = record.verdicts.filter((verdict) => verdict.metadata);
  const distinct = (values: string[]) => [...new Set(values)].join(', ');
  try {
    return await recordExchange(context.deps, {
      ...(record.continuationId === undefined ? {} : { continuationId: record.continuationId }),
      tool: TOOL,
      userText: record.userText,
      files: record.files,
      images: record.images,
      answer: record.verdicts.map((verdict, index) => renderVerdict(verdict, record.firstIndex + index)).join('\n\n'),
      model: distinct(answered.map((verdict) => verdict.metadata?.model ?? verdict.model)) || 'none',
      provider: distinct(answered.map((verdict) => verdict.metadata?.provider ?? '')) || 'none',
    });
  } catch (error) {
    context.logger.warn({ tool: TOOL, err: error }, 'consensus not recorded in the thread');
    return record.continuationId;
  }
}

function allFailed(verdicts: ConsensusVerdict[]): CallToolResult {
  const lines = verdicts.map((verdict) => `- ${verdict.model} (${verdict.stance}): ${verdict.error ?? 'unknown error'}`);
  return {
    isError: true,
    content: [{ type: 'text', text: `No model could give a verdict:\n${lines.join('\n')}\nCheck the model names with listmodels, then call consensus again. [consensus_failed]` }],
  };
}

function resendPrompt(length: number, limit: number): CallToolResult {
  const output = {
    status: 'resend_prompt',
    content: `The proposal is ${length} characters, over the ${limit}-character limit for tool arguments. Save the details to a file, pass its absolute path in relevant_files and keep "step" short.`,
  };
  return { content: [{ type: 'text', text: output.content }], structuredContent: output };
}
