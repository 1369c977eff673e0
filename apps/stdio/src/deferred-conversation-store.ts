import type { ConversationStore, ConversationTurn } from '@exai/tools';

/**
 * A conversation store that becomes available once storage has opened (PGlite takes a moment to
 * start): the MCP handshake never waits for it; the first call that needs a thread does, and gets the
 * reason when storage could not be opened.
 */
export class DeferredConversationStore implements ConversationStore {
  constructor(
    private readonly ready: Promise<ConversationStore>,
    readonly retention: string,
  ) {
    // Reported by the first call that needs it; no unhandled rejection before then.
    ready.catch(() => undefined);
  }

  async create(tool: string): Promise<string> {
    return (await this.ready).create(tool);
  }

  async load(continuationId: string): Promise<readonly ConversationTurn[] | undefined> {
    return (await this.ready).load(continuationId);
  }

  async append(continuationId: string, ...turns: ConversationTurn[]): Promise<void> {
    return (await this.ready).append(continuationId, ...turns);
  }
}
