import {
  AbortedError,
  ProviderTimeoutError,
  type CallOptions,
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  type FinishReason,
  type Provider,
  type StreamPart,
  type Usage,
} from '@exai/router/spec';

/** What the fake does on one call. Calls beyond the script succeed with {@link fakeResult}. */
export type FakeStep =
  /** Resolve (generate) or stream a short answer. */
  | { kind: 'answer'; text?: string; usage?: Partial<Usage>; webSearchCalls?: number; finishReason?: FinishReason['unified'] }
  /** Throw before anything is returned or streamed. */
  | { kind: 'error'; error: Error }
  /**
   * Never answer; reject with `AbortedError` when the call's signal aborts, or with
   * `ProviderTimeoutError` once the call's `timeoutMs` has passed (as a real provider's HTTP client does).
   */
  | { kind: 'hang' }
  /** Stream `parts`; then, if given, throw `error` or hang until aborted. */
  | { kind: 'stream'; parts: StreamPart[]; then?: { error: Error } | 'hang' };

/** One recorded call. */
export interface FakeCall {
  kind: 'generate' | 'stream';
  modelId: string;
  request: ChatRequest;
  signal: AbortSignal | undefined;
  /** The call's `timeoutMs`, if given. */
  timeoutMs: number | undefined;
  /** Set when a hanging call ended on its `timeoutMs`. */
  timedOut?: boolean;
  /** `performance.now()` when the call began. */
  at: number;
  /** Stream only: set when the stream ended without running to its end (consumer left, abort, error). */
  unfinished?: boolean;
}

export const usageOf = (usage: Partial<Usage> = {}): Usage => ({
  inputTokens: 10,
  cachedInputTokens: 0,
  outputTokens: 5,
  reasoningTokens: 0,
  totalTokens: (usage.inputTokens ?? 10) + (usage.outputTokens ?? 5),
  ...usage,
});

/** The result a fake answer produces. */
export function fakeResult(provider: string, modelId: string, step: Extract<FakeStep, { kind: 'answer' }> = { kind: 'answer' }): ChatResult {
  return {
    text: step.text ?? 'fake answer',
    toolCalls: [],
    webSearchResults: [],
    webSearchCalls: step.webSearchCalls ?? 0,
    usage: usageOf(step.usage),
    finishReason: step.finishReason ? { unified: step.finishReason, raw: step.finishReason } : { unified: 'stop', raw: 'stop' },
    provider,
    modelId,
    warnings: ['provider warning'],
  };
}

/** The parts of a streamed answer: metadata, one delta per word, finish. */
export function fakeParts(provider: string, modelId: string, text = 'hello streaming world'): StreamPart[] {
  return [
    { type: 'response-metadata', provider, modelId },
    ...text.split(/(?<= )/).map((delta): StreamPart => ({ type: 'text-delta', delta })),
    { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usageOf(), webSearchCalls: 0, warnings: ['provider warning'] },
  ];
}

function waitForAbort(signal: AbortSignal | undefined, provider: string, call?: FakeCall): Promise<never> {
  return new Promise((_, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fail = (): void => {
      clearTimeout(timer);
      reject(new AbortedError({ provider, message: 'aborted by signal' }));
    };
    if (signal?.aborted) return fail();
    signal?.addEventListener('abort', fail, { once: true });
    const timeoutMs = call?.timeoutMs;
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        signal?.removeEventListener('abort', fail);
        call!.timedOut = true;
        reject(new ProviderTimeoutError({ provider, message: `no answer within ${timeoutMs} ms` }));
      }, timeoutMs);
    }
  });
}

/** An in-memory `Provider` that follows a script and records every call. */
export class FakeProvider implements Provider {
  readonly calls: FakeCall[] = [];
  private readonly steps: FakeStep[] = [];

  constructor(readonly id: string) {}

  /** Appends steps to the script. */
  script(...steps: FakeStep[]): this {
    this.steps.push(...steps);
    return this;
  }

  chatModel(modelId: string): ChatModel {
    return {
      provider: this.id,
      modelId,
      generate: (request, options) => this.generate(modelId, request, options),
      stream: (request, options) => this.stream(modelId, request, options),
    };
  }

  private async generate(modelId: string, request: ChatRequest, options: CallOptions = {}): Promise<ChatResult> {
    const call: FakeCall = { kind: 'generate', modelId, request, signal: options.signal, timeoutMs: options.timeoutMs, at: performance.now() };
    this.calls.push(call);
    const step = this.steps.shift() ?? { kind: 'answer' };
    await Promise.resolve();
    switch (step.kind) {
      case 'answer':
        return fakeResult(this.id, modelId, step);
      case 'error':
        throw step.error;
      case 'hang':
        return waitForAbort(options.signal, this.id, call);
      case 'stream':
        throw new Error('stream step used for generate');
    }
  }

  private async *stream(modelId: string, request: ChatRequest, options: CallOptions = {}): AsyncGenerator<StreamPart> {
    const call: FakeCall = { kind: 'stream', modelId, request, signal: options.signal, timeoutMs: options.timeoutMs, at: performance.now() };
    this.calls.push(call);
    const step = this.steps.shift() ?? { kind: 'stream', parts: fakeParts(this.id, modelId) };
    let finished = false;
    try {
      await Promise.resolve();
      if (step.kind === 'error') throw step.error;
      if (step.kind === 'hang') {
        await waitForAbort(options.signal, this.id);
        return;
      }
      const parts = step.kind === 'answer' ? fakeParts(this.id, modelId, step.text) : step.parts;
      for (const part of parts) {
        if (options.signal?.aborted) throw new AbortedError({ provider: this.id, message: 'aborted by signal' });
        yield part;
      }
      if (step.kind === 'stream' && step.then === 'hang') await waitForAbort(options.signal, this.id);
      if (step.kind === 'stream' && step.then) throw (step.then as { error: Error }).error;
      finished = true;
    } finally {
      if (!finished) call.unfinished = true;
    }
  }
}
