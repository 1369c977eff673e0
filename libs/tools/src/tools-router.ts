import type { CallOptions, ChatRequest, ChatResult, ModelInfo, StreamPart, Usage } from '@exai/router/spec';

/** One routed call: a model name or alias (`auto` or undefined lets the router choose) and the request. */
export interface ToolsRouterCall {
  model?: string;
  request: ChatRequest;
}

/**
 * What the tools need from `@exai/router`'s `Router` (which satisfies it). A narrow interface keeps
 * the tools testable with a fake and documents exactly what they rely on.
 */
export interface ToolsRouter {
  /** Resolves a model name or alias; throws an `ExaiError` naming what to do when it cannot be used. */
  resolve(model?: string): { info: ModelInfo };
  generate(call: ToolsRouterCall, options?: CallOptions): Promise<ChatResult>;
  stream(call: ToolsRouterCall, options?: CallOptions): AsyncIterable<StreamPart>;
  /** USD cost of a call's usage on a model. */
  estimateCost(info: ModelInfo, usage: Usage, webSearchCalls: number): number;
  listModels(): Array<{ info: ModelInfo; available: boolean; reason?: string }>;
}
