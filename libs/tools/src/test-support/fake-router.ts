import { ExaiError, type ChatRequest, type ChatResult, type ModelInfo, type StreamPart, type Usage } from '@exai/router/spec';
import type { ToolsRouter, ToolsRouterCall } from '../tools-router.js';

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

/** An in-memory router: answers `echo: <last user text>`, records every call. */
export class FakeRouter implements ToolsRouter {
  readonly calls: Array<{ kind: 'generate' | 'stream'; call: ToolsRouterCall; signal: AbortSignal | undefined }> = [];
  readonly models = [fakeModel('fake-model'), fakeModel('fake-vision', { capabilities: { ...fakeModel('x').capabilities, vision: true } })];
  /** When set, the next call fails with it. */
  failWith: Error | undefined;
  /** When true, calls wait until their signal aborts, then fail with the abort reason. */
  hang = false;

  resolve(model?: string): { info: ModelInfo } {
    const info = this.models.find((candidate) => candidate.id === (model === undefined || model === 'auto' ? 'fake-model' : model));
    if (!info) throw new ExaiError('unknown_model', { message: `Unknown model "${model}"; available: ${this.models.map((candidate) => candidate.id).join(', ')}` });
    return { info };
  }

  async generate(call: ToolsRouterCall, options: { signal?: AbortSignal } = {}): Promise<ChatResult> {
    this.calls.push({ kind: 'generate', call, signal: options.signal });
    this.throwIfFailing();
    if (this.hang) {
      await new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true }));
    }
    return this.result(call);
  }

  async *stream(call: ToolsRouterCall, options: { signal?: AbortSignal } = {}): AsyncIterable<StreamPart> {
    this.calls.push({ kind: 'stream', call, signal: options.signal });
    this.throwIfFailing();
    const result = this.result(call);
    yield { type: 'response-metadata', provider: 'fake', modelId: result.modelId };
    for (const word of result.text.split(/(?<= )/)) yield { type: 'text-delta', delta: word };
    yield { type: 'finish', finishReason: result.finishReason, usage: result.usage, webSearchCalls: 0, warnings: [] };
  }

  estimateCost(info: ModelInfo, usage: Usage): number {
    return (usage.inputTokens * info.prices.inputPerMillion + usage.outputTokens * info.prices.outputPerMillion) / 1e6;
  }

  listModels(): Array<{ info: ModelInfo; available: boolean; reason?: string }> {
    return this.models.map((info) => ({ info, available: true }));
  }

  private throwIfFailing(): void {
    const error = this.failWith;
    this.failWith = undefined;
    if (error) throw error;
  }

  private result(call: ToolsRouterCall): ChatResult {
    const text = `echo: ${lastUserText(call.request)}`;
    return {
      text,
      toolCalls: [],
      webSearchResults: [],
      webSearchCalls: 0,
      usage: { inputTokens: 10, cachedInputTokens: 0, outputTokens: 5, reasoningTokens: 0, totalTokens: 15 },
      finishReason: { unified: 'stop', raw: 'stop' },
      provider: 'fake',
      modelId: this.resolve(call.model).info.id,
      warnings: [],
    };
  }
}
