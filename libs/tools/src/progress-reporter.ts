/** Parameters of one `notifications/progress` message. */
export interface ProgressParams {
  progressToken: string | number;
  progress: number;
  total?: number;
  message?: string;
}

/**
 * Batches streamed model output into MCP progress notifications: at most one every `intervalMs`,
 * `progress` counting characters so it always increases (MCP requires it), `message` carrying the
 * text produced since the previous notification.
 */
export class ProgressReporter {
  private pending = '';
  private produced = 0;
  private lastSentAt = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: (params: ProgressParams) => Promise<void>,
    private readonly progressToken: string | number,
    private readonly intervalMs = 100,
  ) {}

  /** Adds streamed text; sends a notification when the interval has passed. */
  add(text: string): void {
    if (text.length === 0) return;
    this.pending += text;
    this.produced += text.length;
    if (Date.now() - this.lastSentAt >= this.intervalMs) this.flush();
  }

  /** Sends what is pending now. */
  flush(): void {
    if (this.pending.length === 0) return;
    const params: ProgressParams = { progressToken: this.progressToken, progress: this.produced, message: this.pending };
    this.pending = '';
    this.lastSentAt = Date.now();
    // Notifications go out in order; a failed send (client gone) must not fail the call.
    this.chain = this.chain.then(() => this.send(params)).catch(() => undefined);
  }

  /** Flushes and waits until every notification was handed to the transport. */
  async close(): Promise<void> {
    this.flush();
    await this.chain;
  }
}
