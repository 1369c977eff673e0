import type { RoutedCall, RoutedChatResult } from '@exai/router';
import type { ChatRequest } from '@exai/router/spec';
import { FakeRouter } from '../../test-support/fake-router.js';

/**
 * A {@link FakeRouter} whose expert answers are scripted: each call takes the next queued reply
 * (JSON, fenced JSON or prose), or echoes like FakeRouter when the queue is empty. `delayMs`
 * keeps calls in flight, so concurrent workflows really overlap.
 */
export class ExpertRouter extends FakeRouter {
  readonly replies: string[] = [];
  delayMs = 0;

  override async generate(call: RoutedCall, options: { signal?: AbortSignal } = {}): Promise<RoutedChatResult> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const result = await super.generate(call, options);
    const reply = this.replies.shift();
    return reply === undefined ? result : { ...result, text: reply };
  }

  /** The system prompt and the user text of a recorded call. */
  static promptOf(request: ChatRequest): { system: string; user: string } {
    const text = (role: string) =>
      request.messages
        .filter((message) => message.role === role)
        .map((message) => (typeof message.content === 'string' ? message.content : message.content.map((part) => ('text' in part ? part.text : `<${part.type}>`)).join(' ')))
        .join('\n');
    return { system: text('system'), user: text('user') };
  }
}
