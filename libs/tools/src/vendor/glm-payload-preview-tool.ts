import { isAutoModelName, prepareRequest, type RoutingDecision } from '@exai/router';
import type { ChatRequest, ModelInfo } from '@exai/router/spec';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { defineTool, type ToolContext } from '../tool-definition.js';
import { ToolInputError } from '../tool-input-error.js';
import { describeGlmPayload } from './glm-payload.js';
import { REDACTED, redactPayload } from '../redact-secrets.js';
import { glmVendor } from './vendor-clients.js';
import { providerModel } from './vendor-models.js';

const TOOL = 'glm_payload_preview';
const DEFAULT_GLM_BASE_URL = 'https://api.z.ai/api/paas/v4';

export const glmPayloadPreviewInputShape = {
  prompt: z.string(),
  system_prompt: z.string().optional(),
  model: z.string().optional().describe('GLM model (default: routed).'),
  temperature: z.number().optional(),
  max_tokens: z.number().int().min(1).max(131_072).optional(),
  thinking_mode: z.enum(['off', 'minimal', 'low', 'medium', 'high', 'max']).optional(),
  use_websearch: z.boolean().optional(),
  tools: z.array(z.object({ name: z.string(), description: z.string().optional(), parameters: z.looseObject({}) })).max(128).optional(),
  tool_choice: z.enum(['auto', 'none', 'required']).optional(),
  stream: z.boolean().optional(),
};

export const glmPayloadPreviewOutputShape = {
  model: z.string(),
  url: z.string(),
  headers: z.looseObject({}),
  body: z.looseObject({}),
  warnings: z.array(z.string()),
  routing: z.object({ mode: z.string(), chain: z.array(z.string()), reasons: z.array(z.string()) }),
};

export type GlmPayloadPreviewInput = z.infer<z.ZodObject<typeof glmPayloadPreviewInputShape>>;
export type GlmPayloadPreviewOutput = z.infer<z.ZodObject<typeof glmPayloadPreviewOutputShape>>;

/** `glm_payload_preview`: the GLM chat request exai would send, secrets redacted, without sending it. */
export const glmPayloadPreviewTool = defineTool({
  name: TOOL,
  title: 'Preview a GLM request',
  description: 'Show the exact GLM chat request exai would send for these inputs (routing applied, secrets redacted), without sending it.',
  inputShape: glmPayloadPreviewInputShape,
  outputShape: glmPayloadPreviewOutputShape,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  profile: 'full',
  run: async (input, context) => preview(input, context),
});

/** The exai request the preview describes (what `chat`-like callers would route). */
export function previewRequest(input: GlmPayloadPreviewInput): ChatRequest {
  const request: ChatRequest = {
    messages: [...(input.system_prompt ? [{ role: 'system' as const, content: input.system_prompt }] : []), { role: 'user', content: input.prompt }],
  };
  if (input.temperature !== undefined) request.temperature = input.temperature;
  if (input.max_tokens !== undefined) request.maxTokens = input.max_tokens;
  if (input.thinking_mode === 'off') request.thinking = { enabled: false };
  else if (input.thinking_mode !== undefined) request.thinking = { enabled: true, level: input.thinking_mode };
  if (input.use_websearch) request.webSearch = { enabled: true };
  if (input.tools?.length) request.tools = input.tools.map((tool) => ({ type: 'function', name: tool.name, parameters: tool.parameters, ...(tool.description !== undefined ? { description: tool.description } : {}) }));
  if (input.tool_choice) request.toolChoice = input.tool_choice;
  return request;
}

function preview(input: GlmPayloadPreviewInput, context: ToolContext): CallToolResult {
  const { router } = context.deps;
  const request = previewRequest(input);
  const stream = input.stream === true;
  const { info, decision } = chooseGlmModel(input, request, context);
  // As the router prepares a request for the model it sends it to (its estimate of the input included).
  const prepared = prepareRequest(info, request, {
    modelsWith: (capability) => router.listModels().filter((model) => model.available && model.info.capabilities[capability] === true).map((model) => model.info.id),
    inputTokens: decision.estimatedInputTokens,
  });
  const { body, warnings } = describeGlmPayload(info.id, prepared.request, stream);
  const output: GlmPayloadPreviewOutput = redactPayload({
    model: info.id,
    url: `${baseURL(context)}/chat/completions`,
    headers: {
      // The key is never read here: the preview shows where it goes.
      Authorization: `Bearer ${REDACTED}`,
      'Content-Type': 'application/json',
      'Accept-Language': 'en-US,en',
      ...(stream ? { Accept: 'text/event-stream' } : {}),
    },
    body,
    warnings: [...prepared.warnings, ...warnings],
    routing: { mode: decision.mode, chain: decision.chain.map((entry) => entry.model), reasons: decision.reasons },
  });
  const text = [`POST ${output.url}  (${info.id}; nothing was sent)`, ...Object.entries(output.headers).map(([name, value]) => `${name}: ${value}`), '', JSON.stringify(output.body, null, 2), ...output.warnings.map((warning) => `warning: ${warning}`)].join('\n');
  return { content: [{ type: 'text', text }], structuredContent: output };
}

/** The named GLM model, or the first GLM model of the router's chain for this request. */
function chooseGlmModel(input: GlmPayloadPreviewInput, request: ChatRequest, context: ToolContext): { info: ModelInfo; decision: RoutingDecision } {
  const { router } = context.deps;
  const task = { tool: TOOL };
  if (input.model !== undefined && !isAutoModelName(input.model)) {
    const info = providerModel(router, { provider: 'glm', requested: input.model, tool: TOOL, preferred: [] });
    return { info, decision: router.explain({ model: info.id, request, task }) };
  }
  // Fails with the key variable when GLM has no usable model.
  providerModel(router, { provider: 'glm', requested: undefined, tool: TOOL, preferred: [] });
  const decision = router.explain({ model: 'auto', request, task });
  const glm = decision.chain.find((entry) => entry.provider === 'glm');
  if (!glm) {
    const why = decision.rejected.filter((rejected) => rejected.provider === 'glm').map((rejected) => `${rejected.model}: ${rejected.reason}`);
    throw new ToolInputError('model', `No GLM model can take this request${why.length ? ` (${why.join('; ')})` : ''}.`);
  }
  return { info: router.resolve(glm.model).info, decision };
}

function baseURL(context: ToolContext): string {
  const summary = context.deps.providers.find((provider) => provider.provider === 'glm')?.baseUrl;
  if (summary) return summary.replace(/\/+$/, '');
  try {
    return glmVendor(context.deps, TOOL).baseURL ?? DEFAULT_GLM_BASE_URL;
  } catch {
    return DEFAULT_GLM_BASE_URL;
  }
}
