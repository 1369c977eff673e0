import type { RoutedCall } from '@exai/router';
import { ExaiError, type ChatMessage, type ImagePart } from '@exai/router/spec';
import { resultMetadata, type ResultMetadata } from '../../result-metadata.js';
import type { ToolLogger } from '../../tool-logger.js';
import type { ToolsRouter } from '../../tools-router.js';
import { confidenceScoreOf, consensusSystemPrompt } from './consensus-prompt.js';
import type { ConsensusParticipant, ConsensusStance } from './consensus-schema.js';

/** Models consulted at once: enough for a quick answer, few enough not to trip one provider's rate limit. */
export const CONSENSUS_CONCURRENCY = 3;

/** One model's answer, or why there is none: a failed model is reported, never dropped. */
export interface ConsensusVerdict {
  model: string;
  stance: ConsensusStance;
  status: 'ok' | 'error';
  verdict?: string;
  /** The `X` of the reply's `Confidence Score X/10`. */
  confidence_score?: number;
  error?: string;
  metadata?: ResultMetadata;
}

/** What consulting needs: the router and the blinded prompt shared by every model. */
export interface ConsultOptions {
  router: ToolsRouter;
  logger: ToolLogger;
  /** The proposal with its files: the only user text any model sees. */
  userText: string;
  images: readonly ImagePart[];
  session: string | undefined;
  signal: AbortSignal | undefined;
}

/**
 * Asks one model for its verdict. The request is built from the participant and the shared proposal
 * only, so no model ever sees another's answer. Failures (unknown model, provider error, cancellation)
 * become an `error` verdict.
 */
export async function consultParticipant(participant: ConsensusParticipant, options: ConsultOptions): Promise<ConsensusVerdict> {
  const base = { model: participant.model, stance: participant.stance };
  const started = Date.now();
  try {
    options.signal?.throwIfAborted();
    const user: ChatMessage =
      options.images.length > 0
        ? { role: 'user', content: [{ type: 'text', text: options.userText }, ...options.images] }
        : { role: 'user', content: options.userText };
    const call: RoutedCall = {
      model: participant.model,
      request: {
        messages: [{ role: 'system', content: consensusSystemPrompt(participant) }, user],
        // Medium thinking: deliberate enough for a verdict, cheap enough to ask several models (Zen's choice).
        thinking: { enabled: true, level: 'medium' },
      },
      task: { tool: 'consensus' },
    };
    if (options.session !== undefined) call.session = options.session;
    const result = await options.router.generate(call, { signal: options.signal });
    const verdict: ConsensusVerdict = {
      ...base,
      status: 'ok',
      verdict: result.text,
      metadata: resultMetadata(result, { durationMs: Date.now() - started, streamed: false }),
    };
    const score = confidenceScoreOf(result.text);
    if (score !== undefined) verdict.confidence_score = score;
    return verdict;
  } catch (error) {
    options.logger.warn({ tool: 'consensus', model: participant.model, stance: participant.stance, err: error }, 'consensus model failed');
    return { ...base, status: 'error', error: describeError(error) };
  }
}

function describeError(error: unknown): string {
  if (ExaiError.isInstance(error)) return `${error.message} [${error.code}]`;
  if (error instanceof Error) return error.name === 'AbortError' ? 'cancelled before the model answered' : error.message;
  return String(error);
}

/**
 * Runs `run` over the items with at most `limit` in flight, keeping the results in input order.
 * `run` must not reject: each item's failure is its own result.
 */
export async function mapBounded<T, R>(items: readonly T[], options: { limit: number; run: (item: T, index: number) => Promise<R> }): Promise<R[]> {
  const { limit, run } = options;
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
