import type { QualityTier, ThinkingLevel } from '@exai/router/spec';
import type { RejectedCandidate } from './router-errors.js';

/** The quality a task needs: `fast`, `balanced` or `deep` (a model's `qualityTier`). */
export type TaskCategory = QualityTier;

/** What the caller knows about the task, beyond the request itself. */
export interface RoutingTask {
  /** The tier the task needs. When absent, the AI manager (if enabled) or the rules decide. */
  category?: TaskCategory;
  /** The MCP tool on whose behalf the call is made (`chat`, `thinkdeep`); used by the rules and in logs. */
  tool?: string;
  /**
   * The caller's estimate of the whole input in tokens, when it knows more than the messages show
   * (files the provider will inline). The router uses the larger of this and its own estimate.
   */
  estimatedInputTokens?: number;
}

/** Where a decision's category came from. */
export type ClassifiedBy = 'task' | 'rules' | 'ai-manager' | 'model';

/** What the request needs, as read from it (and from the AI manager's classification). */
export interface RequestNeeds {
  /** Images or video parts: vision models only. */
  vision: boolean;
  /** `webSearch.enabled`: models with in-chat web search only. */
  webSearch: boolean;
  /** `thinking.enabled` true (`on`) or false (`off`); undefined when the request does not say. */
  thinking: 'on' | 'off' | undefined;
  thinkingLevel: ThinkingLevel | undefined;
  /** Function tools: models with tool calling only. */
  tools: boolean;
  /** Kimi file ids (`providerOptions.kimi.fileIds`): models with file extraction only. */
  files: number;
  jsonMode: boolean;
  /** A trailing partial assistant message: Kimi partial mode only. */
  partialMode: boolean;
  streaming: boolean;
}

/** One model of a decision's chain with its estimated cost. */
export interface ChainEntry {
  model: string;
  provider: string;
  tier: TaskCategory;
  /** USD, from registry prices, the estimated input (cached share at the cached price) and expected output. */
  estimatedCostUsd: number;
}

/**
 * Why the router chose a model: returned with every result (`decision`), emitted as the `decision`
 * event, logged at debug, and returned by `router.explain(call)` without any call being made.
 */
export interface RoutingDecision {
  /** `explicit`: a model was named (or the default model was used); `auto`: the router chose. */
  mode: 'explicit' | 'auto';
  /** The model name the call asked for (`auto` when the router chose). */
  requested: string;
  /** The tier the task needs. */
  category: TaskCategory;
  classifiedBy: ClassifiedBy;
  /** The model tried first (id). */
  model: string;
  provider: string;
  /**
   * Every qualifying model, in the order the router will consider them: the chosen model first, then
   * its fallbacks (for `auto`: the needed tier cheapest first, then the other tiers; for an explicit
   * model: the same tier, cheapest first). At most `1 + fallback.maxHops` of them are tried.
   */
  chain: ChainEntry[];
  /** Why: the category's source, the rules that applied, the AI manager's answer, skipped breakers. */
  reasons: string[];
  /** Every model left out, with the reason. */
  rejected: RejectedCandidate[];
  needs: RequestNeeds;
  /** Estimated input tokens of the request (messages, tools, media; or the task's estimate if larger). */
  estimatedInputTokens: number;
  /** Estimated USD cost of the call on the chosen model. */
  estimatedCostUsd: number;
}
