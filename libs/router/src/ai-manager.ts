import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ChatModel, ChatRequest } from '@exai/router/spec';
import { LruCache } from './lru-cache.js';
import type { RouterLogger } from './model-access.js';
import type { RequestFeatures } from './request-features.js';
import type { RoutingTask, TaskCategory } from './routing-decision.js';
import { withDeadline } from './with-deadline.js';

/** Settings of the optional AI manager (`ROUTER_AI_MANAGER`). */
export interface AiManagerOptions {
  /** Classify `auto` tasks with a model. Default false. */
  enabled: boolean;
  /** The classifying model (id or alias). Default `glm-4.5-flash`. */
  model?: string;
  /** Hard limit of one classification, in ms; past it the rules decide. Default 2000. */
  timeoutMs?: number;
  /** Classifications remembered, keyed by a hash of the prompt's features. Default 256; 0 disables the cache. */
  cacheSize?: number;
}

/** Defaults of {@link AiManagerOptions}. */
export const aiManagerDefaults = { model: 'glm-4.5-flash', timeoutMs: 2_000, cacheSize: 256 } as const;

/** What the AI manager says about a task. */
export interface AiClassification {
  category: TaskCategory;
  needsWeb: boolean;
  needsThinking: boolean;
  complexity: 'low' | 'medium' | 'high';
}

// Lenient: the model's JSON is untrusted. A wrong category fails the parse (the rules decide); missing
// flags count as false.
const classificationSchema = z.object({
  category: z.enum(['fast', 'balanced', 'deep']),
  needsWeb: z.boolean().nullish(),
  needsThinking: z.boolean().nullish(),
  complexity: z.enum(['low', 'medium', 'high']).nullish().catch(undefined),
});

/** Characters of the task text the manager reads (and hashes). */
const TASK_TEXT_CHARS = 2_000;

const SYSTEM_PROMPT = [
  'You classify a task for a model router. Answer with one JSON object and nothing else:',
  '{"category":"fast"|"balanced"|"deep","needsWeb":boolean,"needsThinking":boolean,"complexity":"low"|"medium"|"high"}',
  'fast: short answers, lookups, small edits. balanced: ordinary coding, explanation, analysis of a few files.',
  'deep: multi-step reasoning, debugging, architecture, proofs, reviews of large changes.',
  'needsWeb: the answer needs current information from the internet. needsThinking: it needs step-by-step reasoning.',
].join('\n');

/** The last user message's text (what the task is about). */
function taskText(request: ChatRequest): string {
  for (let index = request.messages.length - 1; index >= 0; index--) {
    const message = request.messages[index];
    if (message?.role !== 'user') continue;
    const text = typeof message.content === 'string' ? message.content : message.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
    return text.slice(0, TASK_TEXT_CHARS);
  }
  return '';
}

/** The prompt's routing features as text: what the manager sees, and what its cache key hashes. */
function describeTask(task: RoutingTask | undefined, features: RequestFeatures, text: string): string {
  const { needs } = features;
  return [
    `Tool: ${task?.tool ?? 'none'}`,
    `Images: ${needs.vision ? 'yes' : 'no'}; files: ${needs.files}; function tools: ${needs.tools ? 'yes' : 'no'}`,
    `Input: about ${features.inputTokens} tokens`,
    'Task:',
    text,
  ].join('\n');
}

/**
 * Classifies `auto` tasks with a fast model in JSON mode, under a hard timeout, remembering recent
 * answers. Any failure (timeout, error, invalid JSON) yields undefined, and the rules decide.
 */
export class AiManager {
  readonly modelName: string;
  readonly timeoutMs: number;
  private readonly cache: LruCache<string, AiClassification>;

  constructor(
    options: AiManagerOptions,
    /** The classifying model's `ChatModel`, or undefined when its provider is not configured. */
    private readonly chatModel: () => ChatModel | undefined,
    private readonly logger: RouterLogger | undefined,
  ) {
    this.modelName = options.model ?? aiManagerDefaults.model;
    this.timeoutMs = options.timeoutMs ?? aiManagerDefaults.timeoutMs;
    this.cache = new LruCache(options.cacheSize ?? aiManagerDefaults.cacheSize);
  }

  /** The cache key and the manager's prompt for a call. */
  prompt(request: ChatRequest, task: RoutingTask | undefined, features: RequestFeatures): { key: string; description: string } {
    const description = describeTask(task, features, taskText(request));
    return { key: createHash('sha256').update(description).digest('base64url'), description };
  }

  /** A remembered classification; `peek` leaves the cache order alone (dry runs). */
  cached(key: string, peek = false): AiClassification | undefined {
    return peek ? this.cache.peek(key) : this.cache.get(key);
  }

  /** Asks the model; undefined on timeout, error or an invalid answer. Never takes longer than `timeoutMs`. */
  async classify(key: string, description: string, signal: AbortSignal | undefined): Promise<AiClassification | undefined> {
    const model = this.chatModel();
    if (!model) return undefined;
    const request: ChatRequest = {
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: description },
      ],
      responseFormat: { type: 'json_object' },
      thinking: { enabled: false },
      temperature: 0,
      maxTokens: 200,
    };
    let text: string;
    try {
      text = (await withDeadline((attemptSignal) => model.generate(request, { signal: attemptSignal }), this.timeoutMs, signal)).text;
    } catch (error) {
      if (!signal?.aborted) this.logger?.warn({ model: this.modelName, error: String(error) }, 'AI manager failed; the rules decide');
      return undefined;
    }
    const classification = parseClassification(text);
    if (!classification) {
      this.logger?.warn({ model: this.modelName, answer: text.slice(0, 200) }, 'AI manager answered without valid JSON; the rules decide');
      return undefined;
    }
    this.cache.set(key, classification);
    return classification;
  }
}

/** Parses the manager's answer (JSON, possibly in a code fence); undefined when it is not a valid classification. */
export function parseClassification(text: string): AiClassification | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end < start) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
  const parsed = classificationSchema.safeParse(json);
  if (!parsed.success) return undefined;
  return {
    category: parsed.data.category,
    needsWeb: parsed.data.needsWeb ?? false,
    needsThinking: parsed.data.needsThinking ?? false,
    complexity: parsed.data.complexity ?? 'medium',
  };
}
