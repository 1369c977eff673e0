import type { RoutedCall, RoutedChatResult } from '@exai/router';
import type { ChatRequest } from '@exai/router/spec';
import { fakeModel, FakeRouter } from '../../../test-support/fake-router.js';

/**
 * A {@link FakeRouter} that answers per model (a scripted text or an error), takes `delayMs` per call
 * and counts how many calls are in flight at once.
 */
export class ScriptedRouter extends FakeRouter {
  /** Answer (or failure) per requested model; models without a script echo like FakeRouter. */
  readonly script = new Map<string, string | Error>();
  delayMs = 0;
  inFlight = 0;
  maxInFlight = 0;

  constructor(modelIds: readonly string[]) {
    super();
    this.models.push(...modelIds.map((id) => fakeModel(id)));
  }

  override async generate(call: RoutedCall, options: { signal?: AbortSignal } = {}): Promise<RoutedChatResult> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await sleep(this.delayMs, options.signal);
      const scripted = call.model === undefined ? undefined : this.script.get(call.model);
      if (scripted instanceof Error) {
        this.calls.push({ kind: 'generate', call, signal: options.signal });
        throw scripted;
      }
      const result = await super.generate(call, options);
      return scripted === undefined ? result : { ...result, text: scripted };
    } finally {
      this.inFlight -= 1;
    }
  }

  /** The text every message of a recorded call carried, system prompt included. */
  static promptOf(request: ChatRequest): string {
    return request.messages
      .map((message) => (typeof message.content === 'string' ? message.content : message.content.map((part) => ('text' in part ? part.text : '')).join(' ')))
      .join('\n');
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
