import type { ChatResult, FinishPart, ToolCall, Usage } from '@exai/router/spec';
import { continuationMessages, type AutoContinueLimits } from './auto-continue.js';
import { addUsage, emptyUsage } from './convert-usage.js';
import type { KimiChatBody, KimiWireAssistantMessage, KimiWireToolCall } from './kimi-wire.js';
import { appendWebSearchEcho, isWebSearchCall, isWebSearchOnlyRound, toToolCall } from './kimi-web-search-loop.js';
import { mapFinishReason } from './map-finish-reason.js';

/** What one HTTP round trip produced, whether read whole or assembled from a stream. */
export interface RoundOutcome {
  id: string | undefined;
  model: string | undefined;
  text: string;
  reasoning: string;
  toolCalls: KimiWireToolCall[];
  finishReason: string | undefined;
  usage: Usage;
  /** The assistant message as Kimi sent it, echoed back unchanged in the `$web_search` loop. */
  assistantMessage: KimiWireAssistantMessage;
}

/** What the driver needs from the prepared request. */
export interface RoundDriverSetup {
  body: KimiChatBody;
  warnings: string[];
  /** The caller's partial-mode prefix ('' when none): Kimi's answer excludes it, exai's includes it. */
  partialPrefix: string;
  /** `$web_search` rounds allowed; undefined when web search is off. */
  webSearchMaxRounds: number | undefined;
  autoContinue: AutoContinueLimits | undefined;
}

/**
 * Decides, after each round trip of one chat call, whether another is needed: the `$web_search`
 * loop (provider-wire.md §2.5) and bounded auto-continue (partial mode, §2.4). It sums what the
 * rounds produced, so `generate` and `stream` share one set of rules.
 */
export class KimiRoundDriver {
  /** The body of the next round trip. */
  body: KimiChatBody;
  readonly warnings: string[];
  /** The whole text: the caller's prefix, then every round's text. */
  text: string;
  reasoning = '';
  usage: Usage = emptyUsage();
  /** `$web_search` calls the vendor ran (each is billed). */
  webSearchCalls = 0;
  requestId: string | undefined;
  responseModel: string | undefined;
  #last: RoundOutcome | undefined;
  #setup: RoundDriverSetup;
  #searchRounds = 0;
  #continuations = 0;
  /** The assistant prefix a continuation sends: the caller's prefix plus the answer rounds' text. */
  #answer: string;

  constructor(setup: RoundDriverSetup) {
    this.#setup = setup;
    this.body = setup.body;
    this.warnings = setup.warnings;
    this.text = setup.partialPrefix;
    this.#answer = setup.partialPrefix;
  }

  /** Records a finished round; returns true when another round trip is needed (with `body` updated). */
  next(outcome: RoundOutcome): boolean {
    this.requestId ??= outcome.id;
    this.responseModel ??= outcome.model;
    this.#last = outcome;
    this.text += outcome.text;
    this.reasoning += outcome.reasoning;
    this.usage = addUsage(this.usage, outcome.usage);
    this.webSearchCalls += outcome.toolCalls.filter(isWebSearchCall).length;

    const maxSearchRounds = this.#setup.webSearchMaxRounds;
    if (maxSearchRounds !== undefined && isWebSearchOnlyRound(outcome.finishReason, outcome.toolCalls)) {
      if (this.#searchRounds >= maxSearchRounds) {
        this.warnings.push(
          `Kimi asked for more $web_search rounds than webSearch.maxRounds (${maxSearchRounds}); stopped with its pending search calls. Raise maxRounds or narrow the question.`,
        );
        return false;
      }
      this.#searchRounds++;
      this.body = { ...this.body, messages: appendWebSearchEcho(this.body.messages, outcome.assistantMessage, outcome.toolCalls) };
      return true;
    }

    const limits = this.#setup.autoContinue;
    if (limits && outcome.finishReason === 'length' && outcome.toolCalls.length === 0) {
      const left = limits.maxTotalTokens - this.usage.outputTokens;
      if (this.#continuations >= limits.maxRounds || left <= 0) {
        const bound =
          left <= 0 ? `autoContinue.maxTotalTokens (${limits.maxTotalTokens})` : `autoContinue.maxRounds (${limits.maxRounds})`;
        this.warnings.push(`The answer is still cut at max_tokens: auto-continue reached ${bound} after ${this.#continuations} continuation(s).`);
        return false;
      }
      this.#continuations++;
      this.#answer += outcome.text;
      this.body = {
        ...this.body,
        messages: continuationMessages(this.body.messages, this.#answer),
        max_tokens: Math.min(this.body.max_tokens, left),
      };
      return true;
    }
    return false;
  }

  /** Tool calls for the caller: those of the last round (function calls, and builtin searches left pending). */
  toolCalls(): ToolCall[] {
    return (this.#last?.toolCalls ?? []).map(toToolCall);
  }

  /** The summed outcome of a non-streamed call. */
  result(modelId: string): ChatResult {
    return {
      text: this.text,
      ...(this.reasoning ? { reasoning: this.reasoning } : {}),
      toolCalls: this.toolCalls(),
      webSearchResults: [],
      webSearchCalls: this.webSearchCalls,
      usage: this.usage,
      finishReason: mapFinishReason(this.#last?.finishReason),
      ...(this.requestId ? { requestId: this.requestId } : {}),
      provider: 'kimi',
      modelId: this.responseModel ?? modelId,
      warnings: this.warnings,
    };
  }

  /** The last part of a stream. */
  finishPart(): FinishPart {
    return {
      type: 'finish',
      finishReason: mapFinishReason(this.#last?.finishReason),
      usage: this.usage,
      webSearchCalls: this.webSearchCalls,
      warnings: this.warnings,
    };
  }
}
