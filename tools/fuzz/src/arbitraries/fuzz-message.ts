import fc from 'fast-check';
import { edgeNumber, hostileString, hostileValue } from './hostile-values.js';
import { RawJson, toJsonText } from './raw-json.js';
import { mutatedArguments, type JsonSchema, type StringPools } from './schema-arguments.js';

/** A tool as `tools/list` describes it. */
export interface ToolInfo {
  name: string;
  inputSchema: JsonSchema;
}

/** One generated message and what the property expects of the answer. */
export interface FuzzMessage {
  /** What kind of message it is, for the report. */
  kind: string;
  /** The frame or body, as sent. */
  payload: string | Buffer;
  /** A well-formed request: an answer carrying this id (a result or a JSON-RPC error) must come back. */
  expectsAnswerTo?: string | number;
  /** HTTP only: headers replacing the session's (wrong Accept, content type, protocol version). */
  headers?: Record<string, string>;
  /** WebSocket only: send as a text frame even though the bytes are not UTF-8. */
  invalidUtf8?: boolean;
}

/** Methods an MCP server knows or might be asked about. */
const methods = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'prompts/list',
  'prompts/get',
  'logging/setLevel',
  'completion/complete',
  'tasks/get',
  'tasks/list',
  'sampling/createMessage',
  'notifications/cancelled',
  'notifications/initialized',
  'notifications/progress',
  'notifications/roots/list_changed',
];

const validId = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), fc.constant(0), fc.constant(Number.MAX_SAFE_INTEGER), fc.string({ maxLength: 40 }), fc.uuid());
const brokenId = fc.oneof(fc.constant(null), fc.boolean(), fc.double({ min: 0.1, max: 1e6, noNaN: true }).filter((value) => !Number.isInteger(value)), fc.constant({}), fc.constant([1]), edgeNumber);

/** A well-formed request; the id the answer must carry. */
function request(method: fc.Arbitrary<string>, params: fc.Arbitrary<unknown>, kind: string): fc.Arbitrary<FuzzMessage> {
  return fc.tuple(validId, method, params).map(([id, name, body]) => ({
    kind,
    payload: toJsonText({ jsonrpc: '2.0', id, method: name, ...(body === undefined ? {} : { params: body }) }),
    expectsAnswerTo: id,
  }));
}

/** `tools/call` of a real tool with arguments from its schema, usually mutated. */
function toolCall(tools: readonly ToolInfo[], pools: StringPools): fc.Arbitrary<FuzzMessage> {
  return fc
    .constantFrom(...tools)
    .chain((tool) => fc.tuple(fc.constant(tool.name), mutatedArguments(tool.inputSchema, pools), validId))
    .map(([name, { args, mutation }, id]) => ({
      kind: `tools/call ${mutation}`,
      payload: toJsonText({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }),
      expectsAnswerTo: id,
    }));
}

/** JSON-RPC that breaks the envelope: version, id, method and params of the wrong kinds, responses, batches. */
const brokenEnvelope: fc.Arbitrary<FuzzMessage> = fc
  .record(
    {
      jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('1.0'), fc.constant(2), hostileValue),
      id: fc.oneof(validId, brokenId),
      method: fc.oneof(fc.constantFrom(...methods), hostileValue),
      params: hostileValue,
      result: hostileValue,
      error: fc.oneof(hostileValue, fc.record({ code: edgeNumber, message: hostileString })),
    },
    { requiredKeys: [] },
  )
  .map((envelope) => ({ kind: 'broken envelope', payload: toJsonText(envelope) }));

/** Raw text that is not (quite) one JSON-RPC message. */
const rawText: fc.Arbitrary<FuzzMessage> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'null',
    '[]',
    '{}',
    '"a string"',
    '42',
    '{"jsonrpc":"2.0","id":1,"method":"ping"',
    '{"jsonrpc":"2.0","id":1,"method":"ping"}}',
    '\ufeff{"jsonrpc":"2.0","id":1,"method":"ping"}',
    '{"jsonrpc":"2.0","id":1,"id":2,"method":"ping","method":"tools/list"}',
    '{"jsonrpc":"2.0","id":1e400,"method":"ping"}',
    '{"jsonrpc":"2.0","id":-0,"method":"ping"}',
    "{'jsonrpc':'2.0','id':1,'method':'ping'}",
    '{"jsonrpc":"2.0","id":1,"method":"ping",}',
    '{"jsonrpc":"2.0","id":1,"method":"ping"}\n{"jsonrpc":"2.0","id":2,"method":"ping"}',
    '\u0000\u0000\u0000',
    '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"chat","arguments":{"prompt":"\\ud800"}}}',
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(1_000, 50_000, 200_000).map((depth) => `{"jsonrpc":"2.0","id":1,"method":"ping","params":${'['.repeat(depth)}${']'.repeat(depth)}}`),
).map((text) => ({ kind: 'raw text', payload: text }));

/** Batches: arrays of requests and junk. */
function batch(tools: readonly ToolInfo[], pools: StringPools): fc.Arbitrary<FuzzMessage> {
  return fc.array(fc.oneof(toolCall(tools, pools), brokenEnvelope, request(fc.constant('ping'), fc.constant(undefined), 'ping')), { minLength: 0, maxLength: 4 }).map((messages) => ({
    kind: 'batch',
    payload: `[${messages.map((message) => message.payload.toString()).join(',')}]`,
  }));
}

/** Bytes that are not UTF-8, sent as a text frame (WebSocket) or a body (HTTP). */
const invalidUtf8: fc.Arbitrary<FuzzMessage> = fc
  .constantFrom(Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}}')]))
  .map((bytes) => ({ kind: 'invalid UTF-8', payload: bytes, invalidUtf8: true }));

/** HTTP requests with the wrong headers for `/mcp`. */
const wrongHeaders: fc.Arbitrary<Record<string, string>> = fc.constantFrom<Record<string, string>>(
  { accept: 'text/plain' },
  { accept: 'application/json' },
  { 'content-type': 'text/plain' },
  { 'content-type': 'application/x-www-form-urlencoded' },
  { 'mcp-protocol-version': '1999-01-01' },
  { 'mcp-protocol-version': '\u00ff' },
  { 'mcp-session-id': 'not-a-session' },
  { 'mcp-session-id': "' OR '1'='1" },
);

/** Every kind of generated MCP message, weighted: most are tool calls built from the tools' real schemas. */
export function mcpMessage(tools: readonly ToolInfo[], pools: StringPools, face: 'http' | 'websocket'): fc.Arbitrary<FuzzMessage> {
  const known = request(fc.constantFrom(...methods), fc.oneof(hostileValue, fc.constant(undefined)), 'known method, hostile params');
  const unknown = request(fc.oneof(fc.string({ maxLength: 30 }), hostileString), fc.oneof(hostileValue, fc.constant(undefined)), 'unknown method');
  const notification = fc.tuple(fc.oneof(fc.constantFrom(...methods), hostileString), hostileValue).map(([method, params]) => ({ kind: 'notification', payload: toJsonText({ jsonrpc: '2.0', method, params }) }));
  const unknownTool = request(
    fc.constant('tools/call'),
    fc.record({ name: fc.oneof(hostileString, fc.constantFrom('chat_EXAI-WS', 'CHAT', 'chat ', 'exai.chat', 'kimi_manage_files\u0000')), arguments: hostileValue }),
    'tools/call unknown tool',
  );
  const arbitraries: Array<fc.WeightedArbitrary<FuzzMessage>> = [
    { arbitrary: toolCall(tools, pools), weight: 45 },
    { arbitrary: known, weight: 10 },
    { arbitrary: unknown, weight: 4 },
    { arbitrary: unknownTool, weight: 4 },
    { arbitrary: notification, weight: 5 },
    { arbitrary: brokenEnvelope, weight: 12 },
    { arbitrary: rawText, weight: 8 },
    { arbitrary: batch(tools, pools), weight: 4 },
    { arbitrary: invalidUtf8, weight: 2 },
  ];
  if (face === 'http') {
    arbitraries.push({
      arbitrary: fc.tuple(toolCall(tools, pools), wrongHeaders).map(([message, headers]) => ({ ...message, kind: `wrong headers ${Object.keys(headers)[0]}`, headers })),
      weight: 4,
    });
  }
  return fc.oneof(...arbitraries);
}

/** Frames of the original protocol: calls with schema-built arguments and broken frames of every kind. */
export function legacyFrame(tools: readonly ToolInfo[], pools: StringPools): fc.Arbitrary<FuzzMessage> {
  const requestId = fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.string({ minLength: 1, maxLength: 40 }).filter((id) => !id.startsWith('probe-')));
  const call = fc
    .tuple(fc.constantFrom(...tools), requestId, fc.boolean())
    .chain(([tool, id, alias]) => mutatedArguments(tool.inputSchema, pools).map(({ args, mutation }) => ({ tool, id, alias, args, mutation })))
    .map(({ tool, id, alias, args, mutation }) => ({
      kind: `${alias ? 'tool_call' : 'call_tool'} ${mutation}`,
      payload: toJsonText(alias ? { op: 'tool_call', request_id: id, tool: { name: tool.name }, arguments: args } : { op: 'call_tool', request_id: id, name: tool.name, arguments: args }),
      expectsAnswerTo: id,
    }));
  const simple = fc.tuple(fc.constantFrom('list_tools', 'ping', 'hello', 'cancel'), requestId, hostileValue).map(([op, id, extra]) => ({
    kind: `op ${op}`,
    payload: toJsonText({ op, request_id: id, extra, ...(op === 'hello' ? { token: extra } : {}) }),
    expectsAnswerTo: id,
  }));
  const broken = fc
    .record({ op: fc.oneof(fc.constantFrom('call_tool', 'tool_call', 'hello', 'cancel', 'list_tools', 'ping', 'shutdown', 'call_tool_res'), hostileValue), request_id: fc.oneof(hostileValue, brokenId), name: hostileValue, tool: hostileValue, arguments: hostileValue }, { requiredKeys: [] })
    .map((frame) => ({ kind: 'broken frame', payload: toJsonText(frame) }));
  const notObject = fc.oneof(fc.jsonValue({ maxDepth: 2 }).filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)), fc.constant(new RawJson('[[[[[[[[[[]]]]]]]]]]'))).map((value) => ({ kind: 'not an object', payload: toJsonText(value) }));
  const invalidJson = fc.constantFrom('{"op":"ping"', 'op=ping', '\u0000', '').map((text) => ({ kind: 'invalid JSON', payload: text }));
  return fc.oneof(
    { arbitrary: call, weight: 50 },
    { arbitrary: simple, weight: 10 },
    { arbitrary: broken, weight: 20 },
    { arbitrary: notObject, weight: 6 },
    { arbitrary: invalidJson, weight: 2 },
    { arbitrary: invalidUtf8, weight: 1 },
  );
}
