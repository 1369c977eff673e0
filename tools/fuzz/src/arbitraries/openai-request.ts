import fc from 'fast-check';
import { hostileString } from './hostile-values.js';
import { toJsonText } from './raw-json.js';
import { mutatedArguments, type JsonSchema, type StringPools } from './schema-arguments.js';
import type { FuzzMessage } from './fuzz-message.js';

const text: JsonSchema = { type: 'string' };
const functionName: JsonSchema = { type: 'string', enum: ['get_weather', 'lookup_order', 'search-docs'] };
const message: JsonSchema = {
  anyOf: [
    { type: 'object', properties: { role: { type: 'string', enum: ['user'] }, content: text, name: text }, required: ['role', 'content'] },
    { type: 'object', properties: { role: { type: 'string', enum: ['system', 'developer'] }, content: text }, required: ['role', 'content'] },
    {
      type: 'object',
      properties: {
        role: { type: 'string', enum: ['user'] },
        content: { type: 'array', minItems: 1, items: { type: 'object', properties: { type: { type: 'string', enum: ['image_url'] }, image_url: { type: 'object', properties: { url: { type: 'string', enum: ['data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'https://example.com/cat.png'] } }, required: ['url'] } }, required: ['type', 'image_url'] } },
      },
      required: ['role', 'content'],
    },
    {
      type: 'object',
      properties: {
        role: { type: 'string', enum: ['assistant'] },
        content: text,
        tool_calls: { type: 'array', items: { type: 'object', properties: { id: text, type: { type: 'string', enum: ['function'] }, function: { type: 'object', properties: { name: functionName, arguments: { type: 'string', enum: ['{}', '{"city":"Paris"}'] } }, required: ['name', 'arguments'] } }, required: ['id', 'type', 'function'] } },
      },
      required: ['role'],
    },
    { type: 'object', properties: { role: { type: 'string', enum: ['tool'] }, content: text, tool_call_id: text }, required: ['role', 'content', 'tool_call_id'] },
  ],
};

/** `POST /v1/chat/completions` as OpenAI documents it (the fields exai reads), as JSON Schema for the generator. */
const chatCompletionSchema: JsonSchema = {
  type: 'object',
  properties: {
    model: { type: 'string' },
    messages: { type: 'array', items: message, minItems: 1 },
    stream: { type: 'boolean' },
    stream_options: { type: 'object', properties: { include_usage: { type: 'boolean' } } },
    temperature: { type: 'number' },
    top_p: { type: 'number', minimum: 0.01, maximum: 1 },
    max_tokens: { type: 'integer', minimum: 1 },
    stop: { type: 'string' },
    n: { type: 'integer', enum: [1] },
    tools: { type: 'array', items: { type: 'object', properties: { type: { type: 'string', enum: ['function'] }, function: { type: 'object', properties: { name: functionName, description: text, parameters: { type: 'object', properties: {} } }, required: ['name'] } }, required: ['type', 'function'] } },
    tool_choice: { type: 'string', enum: ['auto', 'none'] },
    response_format: { type: 'object', properties: { type: { type: 'string', enum: ['text', 'json_object'] } }, required: ['type'] },
    reasoning_effort: { type: 'string', enum: ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] },
    thinking: { type: 'object', properties: { type: { type: 'string', enum: ['enabled', 'disabled'] } }, required: ['type'] },
    user: { type: 'string' },
  },
  required: ['model', 'messages'],
};

/** Bodies for the OpenAI-compatible face: schema-built requests, usually mutated, and raw junk. */
export function openAiRequest(pools: StringPools): fc.Arbitrary<FuzzMessage> {
  // The conversation ends with a user's question (GLM needs one), so unbroken requests reach a model.
  const built = fc.tuple(mutatedArguments(chatCompletionSchema, pools), fc.lorem({ maxCount: 6 })).map(([{ args, mutation }, question]) => {
    if (typeof args === 'object' && args !== null && !Array.isArray(args) && Array.isArray((args as { messages?: unknown }).messages)) {
      (args as { messages: unknown[] }).messages.push({ role: 'user', content: question || 'hello' });
    }
    return { kind: `chat.completions ${mutation}`, payload: toJsonText(args) };
  });
  const junk = fc.oneof(fc.constantFrom('', '{}', '[]', 'null', '{"model":"auto"', '{"model":"auto","messages":"hi"}'), hostileString).map((body) => ({ kind: 'chat.completions raw', payload: body }));
  return fc.oneof({ arbitrary: built, weight: 9 }, { arbitrary: junk, weight: 1 });
}
