import type { ModelInfo } from '@exai/router/spec';
import type { RequestFeatures } from './request-features.js';
import { NoQualifyingModelError, type RejectedCandidate, type RejectionCode } from './router-errors.js';
import type { ChainEntry, ClassifiedBy, RoutingDecision, TaskCategory } from './routing-decision.js';

/** Output tokens assumed for cost estimates when the request sets no `maxTokens`. */
export const EXPECTED_OUTPUT_TOKENS = 1_024;
/** Room kept for the answer in the context-window pre-check when the request sets no `maxTokens`. */
export const OUTPUT_RESERVE_TOKENS = 1_024;
/** Safety margin on the rough prompt estimate (the same as `prepareRequest`'s). */
const ESTIMATE_MARGIN = 1.1;

/** Tiers in the order a task of each category tries them: its own, then better ones, then cheaper ones. */
const tierOrder: Record<TaskCategory, readonly TaskCategory[]> = {
  fast: ['fast', 'balanced', 'deep'],
  balanced: ['balanced', 'deep', 'fast'],
  deep: ['deep', 'balanced', 'fast'],
};

/** A model of a plan's chain. */
export interface Candidate {
  info: ModelInfo;
  estimatedCostUsd: number;
  /** Set when the model's or its provider's breaker was open at planning time (it was moved to the end). */
  deferred: boolean;
}

/** A decision and the models behind its chain. */
export interface RoutePlan {
  readonly decision: RoutingDecision;
  /** The model tried first. */
  readonly first: Candidate;
  /** Aligned with `decision.chain`. */
  readonly candidates: readonly Candidate[];
}

function chainOf(candidates: readonly Candidate[]): ChainEntry[] {
  const chain: ChainEntry[] = new Array<ChainEntry>(candidates.length);
  for (let index = 0; index < candidates.length; index++) {
    const { info, estimatedCostUsd } = candidates[index] as Candidate;
    chain[index] = { model: info.id, provider: info.provider, tier: info.qualityTier, estimatedCostUsd };
  }
  return chain;
}

/** What {@link RoutePlanner.plan} needs beyond the request's features. */
export interface PlanInput {
  mode: 'explicit' | 'auto';
  requested: string;
  /** The named model (explicit mode); already checked for access and capabilities. */
  explicit: ModelInfo | undefined;
  category: TaskCategory;
  classifiedBy: ClassifiedBy;
  reasons: string[];
  features: RequestFeatures;
  maxTokens: number | undefined;
  /** Why a model cannot take calls now (its breaker, or every key of its provider, is open), if so. */
  blocked: (info: ModelInfo) => string | undefined;
}

/** Settings of the planner. */
export interface PlannerSettings {
  /** Candidates whose estimated cost is above this are left out. */
  maxCostPerRequestUsd: number | undefined;
  /** Whether an explicit model gets fallbacks. */
  explicitFallback: boolean;
}

interface Row {
  info: ModelInfo;
  /** Why the model can never be used (no key, not allowed), precomputed. */
  unavailable: string | undefined;
}

const formatTokens = (tokens: number): string => tokens.toLocaleString('en-US');
const formatUsd = (usd: number): string => `$${usd.toPrecision(3)}`;

/**
 * Chooses models for requests. Availability (keys, allow-lists) is fixed for the router's lifetime,
 * so it is computed once; per request only the cheap checks and cost estimates run.
 */
export class RoutePlanner {
  /** Rows per tier, in registry order: a plan touches only the tiers it considers. */
  private readonly rowsByTier: Record<TaskCategory, Row[]> = { fast: [], balanced: [], deep: [] };

  constructor(
    models: readonly ModelInfo[],
    unavailableReason: (info: ModelInfo) => string | undefined,
    private readonly settings: PlannerSettings,
  ) {
    for (const info of models) this.rowsByTier[info.qualityTier].push({ info, unavailable: unavailableReason(info) });
  }

  /** USD cost estimate of a request on a model (see README, "Cost estimate"). */
  estimateCost(info: ModelInfo, features: RequestFeatures, maxTokens: number | undefined): number {
    const { prices, capabilities } = info;
    const thinks = capabilities.thinking === 'always' || (capabilities.thinking === 'hybrid' && features.needs.thinking === 'on');
    // Reasoning tokens are billed as output: a thinking answer is assumed to cost twice the output.
    const output = Math.min(maxTokens ?? EXPECTED_OUTPUT_TOKENS, info.maxOutputTokens) * (thinks ? 2 : 1);
    const cached = Math.min(features.cachedInputTokens, features.inputTokens);
    const tokens = (features.inputTokens - cached) * prices.inputPerMillion + cached * prices.cachedInputPerMillion + output * prices.outputPerMillion;
    return tokens / 1_000_000 + (features.needs.webSearch ? prices.perWebSearch : 0);
  }

  /** Builds the decision for a call; throws `NoQualifyingModelError` when no model can take it. */
  plan(input: PlanInput): RoutePlan {
    const explicit = input.explicit;
    const rejected: RejectedCandidate[] = [];
    let qualifying: Candidate[];
    let category = input.category;
    if (explicit) {
      const cost = this.estimateCost(explicit, input.features, input.maxTokens);
      const refusal = this.fitRefusal(explicit, input, cost);
      if (refusal === undefined) {
        qualifying = this.settings.explicitFallback ? this.collect(input, rejected, explicit, [explicit.qualityTier]) : [];
        qualifying.unshift({ info: explicit, estimatedCostUsd: cost, deferred: false });
      } else {
        rejected.push({ model: explicit.id, provider: explicit.provider, code: refusal[0], reason: refusal[1] });
        if (!this.settings.explicitFallback) throw new NoQualifyingModelError({ rejected });
        input.reasons.push(`${explicit.id} cannot take this request (${refusal[1]}); choosing among the others as for auto`);
        category = explicit.qualityTier;
        qualifying = this.collect(input, rejected, explicit, tierOrder[category]);
      }
    } else {
      qualifying = this.collect(input, rejected, undefined, tierOrder[category]);
    }
    if (qualifying.length === 0) throw new NoQualifyingModelError({ rejected });
    qualifying = this.defer(qualifying, input);
    const first = qualifying[0] as Candidate;
    return {
      first,
      candidates: qualifying,
      decision: {
        mode: input.mode,
        requested: input.requested,
        category,
        classifiedBy: input.classifiedBy,
        model: first.info.id,
        provider: first.info.provider,
        chain: chainOf(qualifying),
        reasons: input.reasons,
        rejected,
        needs: input.features.needs,
        estimatedInputTokens: input.features.inputTokens,
        estimatedCostUsd: first.estimatedCostUsd,
      },
    };
  }

  /** Moves breaker-blocked candidates to the end: tried only if everything before them fails (never skip the last). */
  private defer(qualifying: Candidate[], input: PlanInput): Candidate[] {
    let anyDeferred = false;
    for (const candidate of qualifying) {
      const blocked = input.blocked(candidate.info);
      if (blocked === undefined) continue;
      candidate.deferred = true;
      anyDeferred = true;
      input.reasons.push(`${candidate.info.id}: ${blocked}; moved to the end of the chain`);
    }
    if (!anyDeferred) return qualifying;
    const healthy = qualifying.filter((candidate) => !candidate.deferred);
    if (healthy.length === 0) input.reasons.push('every qualifying model is blocked by an open breaker; trying them anyway');
    return healthy.concat(qualifying.filter((candidate) => candidate.deferred));
  }

  /** Qualifying models of `tiers`, tier by tier, cheapest first; every other model of those tiers is rejected with its reason. */
  private collect(input: PlanInput, rejected: RejectedCandidate[], skip: ModelInfo | undefined, tiers: readonly TaskCategory[]): Candidate[] {
    const result: Candidate[] = [];
    for (const tier of tiers) {
      const start = result.length;
      for (const row of this.rowsByTier[tier]) {
        const info = row.info;
        if (info === skip) continue;
        const cost = this.estimateCost(info, input.features, input.maxTokens);
        const refusal = row.unavailable === undefined ? (this.capabilityRefusal(info, input) ?? this.fitRefusal(info, input, cost)) : (['unavailable', row.unavailable] as const);
        if (refusal) rejected.push({ model: info.id, provider: info.provider, code: refusal[0], reason: refusal[1] });
        else result.push({ info, estimatedCostUsd: cost, deferred: false });
      }
      // Insertion sort of this tier's few models by cost; registry order breaks ties (the sort is stable).
      for (let index = start + 1; index < result.length; index++) {
        const current = result[index] as Candidate;
        let at = index - 1;
        while (at >= start && (result[at] as Candidate).estimatedCostUsd > current.estimatedCostUsd) {
          result[at + 1] = result[at] as Candidate;
          at--;
        }
        result[at + 1] = current;
      }
    }
    return result;
  }

  /** Capability and thinking checks (what `prepareRequest` would refuse or change). */
  private capabilityRefusal(info: ModelInfo, input: PlanInput): readonly [RejectionCode, string] | undefined {
    const needs = input.features.needs;
    const can = info.capabilities;
    if (needs.streaming && !can.streaming) return ['capability', 'cannot stream its answer'];
    if (needs.vision && !can.vision) return ['capability', 'cannot read images or video'];
    if (needs.tools && !can.tools) return ['capability', 'cannot call functions (tools)'];
    if (needs.webSearch && !can.webSearch) return ['capability', 'cannot search the web'];
    if (needs.files > 0 && !can.files) return ['capability', 'cannot read uploaded files (Kimi file ids)'];
    if (needs.jsonMode && !can.jsonMode) return ['capability', 'cannot answer in JSON mode'];
    if (needs.partialMode && !can.partialMode) return ['capability', 'cannot continue a partial assistant message'];
    if (needs.thinking === 'on' && can.thinking === 'none') return ['thinking', 'does not think; the request asks for thinking'];
    if (needs.thinking === 'off' && can.thinking === 'always') return ['thinking', 'always thinks; the request turns thinking off'];
    return undefined;
  }

  /** Context-window pre-check and cost cap. */
  private fitRefusal(info: ModelInfo, input: PlanInput, cost: number): readonly [RejectionCode, string] | undefined {
    const output = Math.min(input.maxTokens ?? OUTPUT_RESERVE_TOKENS, info.maxOutputTokens);
    const needed = Math.ceil(input.features.inputTokens * ESTIMATE_MARGIN) + output;
    if (needed > info.contextWindow) {
      return ['context', `needs about ${formatTokens(needed)} tokens with the answer; its window is ${formatTokens(info.contextWindow)}`];
    }
    const cap = this.settings.maxCostPerRequestUsd;
    if (cap !== undefined && cost > cap) return ['cost', `estimated ${formatUsd(cost)} is above the cap of ${formatUsd(cap)} per request`];
    return undefined;
  }
}
