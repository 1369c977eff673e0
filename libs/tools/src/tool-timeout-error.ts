import { ExaiError } from '@exai/router/spec';

/** A tool call ran past its time limit (`EXAI_TOOL_TIMEOUT_MS`); the work in flight was aborted. */
export class ToolTimeoutError extends ExaiError {
  constructor(tool: string, timeoutMs: number, cause?: unknown) {
    super('tool_timeout', {
      message: `${tool} did not finish within ${timeoutMs} ms (EXAI_TOOL_TIMEOUT_MS) and was stopped; try a faster model, a shorter request, or raise the limit`,
      cause,
    });
    this.name = 'ToolTimeoutError';
  }
}
