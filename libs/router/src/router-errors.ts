import { ExaiError } from '@exai/router/spec';

const markers = {
  unknownModel: Symbol.for('exai.error.UnknownModelError'),
  providerNotConfigured: Symbol.for('exai.error.ProviderNotConfiguredError'),
  modelNotAllowed: Symbol.for('exai.error.ModelNotAllowedError'),
  capability: Symbol.for('exai.error.CapabilityError'),
  modelsFile: Symbol.for('exai.error.ModelsFileError'),
  overCapacity: Symbol.for('exai.error.OverCapacityError'),
  noQualifyingModel: Symbol.for('exai.error.NoQualifyingModelError'),
} as const;

function hasMarker(error: unknown, marker: symbol): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
}

const list = (items: readonly string[]): string => (items.length ? items.join(', ') : 'none');

/** The requested model name is neither a known model id nor an alias. Code `unknown_model`. */
export class UnknownModelError extends ExaiError {
  /** The name that was asked for. */
  readonly requested: string;
  /** Model ids the caller may use instead. */
  readonly available: string[];

  constructor(options: { requested: string; available: string[]; cause?: unknown }) {
    super('unknown_model', {
      message: `Unknown model "${options.requested}". Available models: ${list(options.available)} (or "auto" to let exai choose).`,
      cause: options.cause,
    });
    this.name = 'UnknownModelError';
    this.requested = options.requested;
    this.available = options.available;
    Object.defineProperty(this, markers.unknownModel, { value: true });
  }

  /** True for any `UnknownModelError`, even one created by another copy of this package. */
  static override isInstance(error: unknown): error is UnknownModelError {
    return hasMarker(error, markers.unknownModel);
  }
}

/** The model's provider has no API key. Code `provider_not_configured`; the message names the variable. */
export class ProviderNotConfiguredError extends ExaiError {
  readonly provider: string;
  readonly model: string;
  /** The environment variable to set. */
  readonly envVar: string;

  constructor(options: { provider: string; model: string; envVar: string; aliases?: string[] }) {
    const also = options.aliases?.length ? ` (also accepted: ${options.aliases.join(', ')})` : '';
    super('provider_not_configured', {
      message: `${options.envVar} is not set; chat with ${options.provider} models such as ${options.model} needs it${also}.`,
    });
    this.name = 'ProviderNotConfiguredError';
    this.provider = options.provider;
    this.model = options.model;
    this.envVar = options.envVar;
    Object.defineProperty(this, markers.providerNotConfigured, { value: true });
  }

  /** True for any `ProviderNotConfiguredError`, even one created by another copy of this package. */
  static override isInstance(error: unknown): error is ProviderNotConfiguredError {
    return hasMarker(error, markers.providerNotConfigured);
  }
}

/** The model is known but left out of the provider's allow-list. Code `model_not_allowed`. */
export class ModelNotAllowedError extends ExaiError {
  readonly model: string;
  /** The allow-list's environment variable (`GLM_ALLOWED_MODELS`, `KIMI_ALLOWED_MODELS`). */
  readonly envVar: string;
  /** The provider's models that are allowed. */
  readonly allowed: string[];

  constructor(options: { model: string; provider: string; envVar: string; allowed: string[] }) {
    super('model_not_allowed', {
      message: `${options.model} is not in ${options.envVar}; allowed ${options.provider} models: ${list(options.allowed)}.`,
    });
    this.name = 'ModelNotAllowedError';
    this.model = options.model;
    this.envVar = options.envVar;
    this.allowed = options.allowed;
    Object.defineProperty(this, markers.modelNotAllowed, { value: true });
  }

  /** True for any `ModelNotAllowedError`, even one created by another copy of this package. */
  static override isInstance(error: unknown): error is ModelNotAllowedError {
    return hasMarker(error, markers.modelNotAllowed);
  }
}

/** A capability a request may need, named as in `ModelCapabilities`. */
export type CapabilityName = 'vision' | 'tools' | 'webSearch' | 'jsonMode' | 'partialMode' | 'streaming' | 'files';

/** The request needs something the model cannot do (images without vision, …). Code `capability_unsupported`. */
export class CapabilityError extends ExaiError {
  readonly model: string;
  readonly capability: CapabilityName;
  /** Models that have the capability (usable ones first). */
  readonly alternatives: string[];

  constructor(options: { model: string; capability: CapabilityName; need: string; alternatives: string[] }) {
    const suggestion = options.alternatives.length
      ? `Models that can: ${options.alternatives.join(', ')}.`
      : 'No configured model can.';
    super('capability_unsupported', { message: `${options.model} cannot ${options.need}. ${suggestion}` });
    this.name = 'CapabilityError';
    this.model = options.model;
    this.capability = options.capability;
    this.alternatives = options.alternatives;
    Object.defineProperty(this, markers.capability, { value: true });
  }

  /** True for any `CapabilityError`, even one created by another copy of this package. */
  static override isInstance(error: unknown): error is CapabilityError {
    return hasMarker(error, markers.capability);
  }
}

/** A models file (EXAI_MODELS_FILE) cannot be read or is invalid. Code `invalid_models_file`. */
export class ModelsFileError extends ExaiError {
  /** The file (or other source) that is wrong. */
  readonly source: string;
  /** Every problem found, each as `<JSON path>: <problem>`. */
  readonly problems: string[];

  constructor(options: { source: string; problems: string[]; cause?: unknown }) {
    super('invalid_models_file', {
      message: `Models file ${options.source} is invalid:\n${options.problems.map((problem) => `  - ${problem}`).join('\n')}`,
      cause: options.cause,
    });
    this.name = 'ModelsFileError';
    this.source = options.source;
    this.problems = options.problems;
    Object.defineProperty(this, markers.modelsFile, { value: true });
  }

  /** True for any `ModelsFileError`, even one created by another copy of this package. */
  static override isInstance(error: unknown): error is ModelsFileError {
    return hasMarker(error, markers.modelsFile);
  }
}

/** Which concurrency limit refused a call. */
export type CapacityScope = 'global' | 'session' | 'provider';

/**
 * Too many calls are running or waiting: a bulkhead's slots and queue were full, or the call waited in
 * the queue longer than the queue timeout. Code `over_capacity`; retry after `retryAfterMs`.
 */
export class OverCapacityError extends ExaiError {
  /** The limit that refused the call. */
  readonly scope: CapacityScope;
  /** The bulkhead's name: `global`, the session id, or the provider id. */
  readonly limitName: string;
  /** Calls allowed at once in that bulkhead. */
  readonly limit: number;
  /** Suggested wait before trying again, in ms. */
  readonly retryAfterMs: number;

  constructor(options: { scope: CapacityScope; limitName: string; limit: number; retryAfterMs: number; setting: string; cause?: unknown }) {
    const where = options.scope === 'global' ? 'exai' : options.scope === 'session' ? `session ${options.limitName}` : options.limitName;
    super('over_capacity', {
      message:
        `${where} is over capacity: ${options.limit} calls are already running and the queue is full or too slow ` +
        `(${options.setting}). Retry in ${Math.ceil(options.retryAfterMs / 1000)} s.`,
      cause: options.cause,
    });
    this.name = 'OverCapacityError';
    this.scope = options.scope;
    this.limitName = options.limitName;
    this.limit = options.limit;
    this.retryAfterMs = options.retryAfterMs;
    Object.defineProperty(this, markers.overCapacity, { value: true });
  }

  /** True for any `OverCapacityError`, even one created by another copy of this package. */
  static override isInstance(error: unknown): error is OverCapacityError {
    return hasMarker(error, markers.overCapacity);
  }
}

/** A candidate model left out of a routing decision, and why. */
export interface RejectedCandidate {
  model: string;
  provider: string;
  /** Stable reason code. */
  code: RejectionCode;
  /** Readable reason (`cannot read images or video`, `needs about 140,000 tokens; window 131,072`). */
  reason: string;
}

/** Why a candidate was left out. */
export type RejectionCode = 'unavailable' | 'capability' | 'thinking' | 'context' | 'cost' | 'breaker_open';

/**
 * No usable model can take the request: every candidate lacks a needed capability, cannot fit the
 * prompt, costs more than the cap, or has no key. Code `no_qualifying_model`; `rejected` says why each one.
 */
export class NoQualifyingModelError extends ExaiError {
  readonly rejected: RejectedCandidate[];

  constructor(options: { rejected: RejectedCandidate[]; need?: string }) {
    const shown = options.rejected.slice(0, 8).map((candidate) => `${candidate.model}: ${candidate.reason}`);
    const more = options.rejected.length > shown.length ? `; and ${options.rejected.length - shown.length} more` : '';
    super('no_qualifying_model', {
      message: `No usable model can take this request${options.need ? ` (${options.need})` : ''}. ${shown.length ? `${shown.join('; ')}${more}.` : 'No model is configured.'}`,
    });
    this.name = 'NoQualifyingModelError';
    this.rejected = options.rejected;
    Object.defineProperty(this, markers.noQualifyingModel, { value: true });
  }

  /** True for any `NoQualifyingModelError`, even one created by another copy of this package. */
  static override isInstance(error: unknown): error is NoQualifyingModelError {
    return hasMarker(error, markers.noQualifyingModel);
  }
}
