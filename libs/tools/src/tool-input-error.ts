import { ExaiError } from '@exai/router/spec';

/** A tool argument is unusable; the message names the field and what to do. */
export class ToolInputError extends ExaiError {
  /** The argument at fault, such as `files` or `images`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super('invalid_argument', { message });
    this.name = 'ToolInputError';
    this.field = field;
  }
}
