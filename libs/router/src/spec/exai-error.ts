const marker = Symbol.for('exai.error.ExaiError');

/** Options shared by every exai error. */
export interface ExaiErrorOptions {
  /** A human- and model-readable explanation of what went wrong and what to do. */
  message: string;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * Root of every error exai raises. Subclasses carry a stable `code`; code that decides what to do
 * with an error reads `code` and typed fields, never the message text.
 */
export class ExaiError extends Error {
  /** Stable, machine-readable error code (`snake_case`). */
  readonly code: string;

  constructor(code: string, options: ExaiErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExaiError';
    this.code = code;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for any exai error, even one created by another copy of this package. */
  static isInstance(error: unknown): error is ExaiError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
