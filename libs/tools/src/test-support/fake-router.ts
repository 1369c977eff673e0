import { isAutoModelName, type ModelAvailability, type RoutedCall, type RoutedChatResult, type RoutedStream, type RouterStatus, type RoutingDecision } from '@exai/router';
import { ExaiError, type ChatRequest, type ModelInfo, type Provider, type StreamPart } from '@exai/router/spec';
import type { ToolsRouter } from '../tools-router.js';

/** A model for tests. */
export function fakeModel(id: string, overrides: Partial<ModelInfo> = {}): ModelInfo {
  return {
    id,
    provider: 'fake',
    aliases: [],
    contextWindow: 8192,
    maxOutputTokens: 1024,
    prices: { inputPerMillion: 1, cachedInputPerMillion: 0.5, outputPerMillion: 2, perWebSearch: 0.01 },
    capabilities: { thinking: 'hybrid', vision: false, tools: true, webSearch: true, files: false, streaming: true, jsonMode: true, partialMode: false },
    temperature: { min: 0, max: 1, default: 0.6 },
    qualityTier: 'fast',
    description: 'test model',
    ...overrides,
  };
}

function lastUserText(request: ChatRequest): string {
  const user = [...request.messages].reverse().find((message) => message.role === 'user');
  if (!user || user.role !== 'user') return '';
  return typeof user.content === 'string' ? user.content : user.content.map((part) => (part.type === 'text' ? part.text : `<${part.type}>`)).join(' ');
}

const unusedProvider: Provider = {
  id: 'fake',
  chatModel: () => {
    throw new Error('the fake router answers by itself');
  },
};

/** An in-memory router: answers `echo: <last user text>`, records every call. */
export class FakeRouter implements ToolsRouter {
  readonly calls: Array<{ kind: 'generate' | 'stream'; call: RoutedCall; signal: AbortSignal | undefined }> = [];
  readonly models = [fakeModel('fake-model'), fakeModel('fake-vision', { capabilities: { ...fakeModel('x').capabilities, vision: true } })];
  /** When set, the next call fails with it. */
  failWith: Error | undefined;
  /** When true, calls wait until their signal aborts, then fail with the abort reason. */
  hang = false;

  resolve(model?: string): { info: ModelInfo; provider: Provider } {
    const info = this.models.find((candidate) => candidate.id === (model === undefined || isAutoModelName(model) ? 'fake-model' : model));
    if (!info) throw new ExaiError('unknown_model', { message: `Unknown model "${model}"; available: ${this.models.map((candidate) => candidate.id).join(', ')}` });
    return { info, provider: unusedProvider };
  }

  async generate(call: RoutedCall, options: { signal?: AbortSignal } = {}): Promise<RoutedChatResult> {
    this.calls.push({ kind: 'generate', call, signal: options.signal });
    this.throwIfFailing();
    if (this.hang) {
      await new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true }));
    }
    return this.result(call);
  }

  streamWithMetadata(call: RoutedCall, options: { signal?: AbortSignal } = {}): RoutedStream {
    this.calls.push({ kind: 'stream', call, signal: options.signal });
    this.throwIfFailing();
    const result = this.result(call);
    let finished = false;
    async function* parts(): AsyncGenerator<StreamPart> {
      yield { type: 'response-metadata', provider: 'fake', modelId: result.modelId };
      for (const word of result.text.split(/(?<= )/)) yield { type: 'text-delta', delta: word };
      finished = true;
      yield { type: 'finish', finishReason: result.finishReason, usage: result.usage, webSearchCalls: 0, warnings: [] };
    }
    return {
      model: result.model,
      decision: result.decision,
      attemptLog: result.attemptLog,
      parts: parts(),
      get summary() {
        return finished ? { ...result, finishReason: result.finishReason, webSearchCalls: 0 } : undefined;
      },
    };
  }

  listModels(): ModelAvailability[] {
    return this.models.map((info) => ({ info, available: true }));
  }

  private throwIfFailing(): void {
    const error = this.failWith;
    this.failWith = undefined;
    if (error) throw error;
  }

  /** No keys, breakers or bulkheads: a healthy, idle router. */
  status(): RouterStatus {
    return { keys: [], models: [], bulkheads: [] };
  }

  explain(call: RoutedCall): RoutingDecision {
    return this.result(call).decision;
  }

  private result(call: RoutedCall): RoutedChatResult {
    const { info } = this.resolve(call.model);
    const text = `echo: ${lastUserText(call.request)}`;
    const usage = { inputTokens: 10, cachedInputTokens: 0, outputTokens: 5, reasoningTokens: 0, totalTokens: 15 };
    const decision = {
      mode: call.model === undefined || isAutoModelName(call.model) ? 'auto' : 'explicit',
      requested: call.model ?? 'auto',
      category: 'fast',
      classifiedBy: 'rules',
      model: info.id,
      provider: 'fake',
      chain: [{ model: info.id, provider: 'fake', tier: 'fast', estimatedCostUsd: 0.00002 }],
      reasons: ['fake router'],
      rejected: [],
      estimatedInputTokens: 10,
      estimatedCostUsd: 0.00002,
    } as unknown as RoutingDecision;
    return {
      text,
      toolCalls: [],
      webSearchResults: [],
      webSearchCalls: 0,
      usage,
      totalUsage: usage,
      finishReason: { unified: 'stop', raw: 'stop' },
      provider: 'fake',
      modelId: info.id,
      warnings: [],
      model: info,
      key: 'fake#1',
      attempts: 1,
      costUsd: (10 * info.prices.inputPerMillion + 5 * info.prices.outputPerMillion) / 1e6,
      durationMs: 1,
      decision,
      attemptLog: [{ model: info.id, provider: 'fake', key: 'fake#1', outcome: 'success', durationMs: 1 }],
    };
  }
}
