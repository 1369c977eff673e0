import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CreateMessageResultSchema,
  ElicitResultSchema,
  type CallToolResult,
  type ElicitRequestFormParams,
  type LoggingLevel,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { FIXTURE_PNG_BASE64, FIXTURE_WAV_BASE64 } from './conformance-media.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });
const failure = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }], isError: true });
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The tools of the conformance suite's server scenarios (`tools-call-*`, `elicitation-*`,
 * `json-schema-2020-12`, `server-sse-polling`), each doing what its scenario's description asks.
 * Notifications and server-to-client requests are sent *related* to the call (`extra`), so on
 * Streamable HTTP they travel on the call's own SSE stream, before its answer.
 */
export function registerConformanceTools(server: McpServer): void {
  server.registerTool('test_simple_text', { description: 'Conformance fixture: returns one text block.', inputSchema: {} }, () =>
    text('This is a simple text response for testing.'),
  );

  server.registerTool('test_image_content', { description: 'Conformance fixture: returns a PNG image block.', inputSchema: {} }, () => ({
    content: [{ type: 'image', data: FIXTURE_PNG_BASE64, mimeType: 'image/png' }],
  }));

  server.registerTool('test_audio_content', { description: 'Conformance fixture: returns a WAV audio block.', inputSchema: {} }, () => ({
    content: [{ type: 'audio', data: FIXTURE_WAV_BASE64, mimeType: 'audio/wav' }],
  }));

  server.registerTool('test_embedded_resource', { description: 'Conformance fixture: returns an embedded text resource.', inputSchema: {} }, () => ({
    content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }],
  }));

  server.registerTool('test_multiple_content_types', { description: 'Conformance fixture: returns text, image and resource blocks.', inputSchema: {} }, () => ({
    content: [
      { type: 'text', text: 'Multiple content types test:' },
      { type: 'image', data: FIXTURE_PNG_BASE64, mimeType: 'image/png' },
      { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) } },
    ],
  }));

  server.registerTool('test_tool_with_logging', { description: 'Conformance fixture: sends three info log messages while it runs.', inputSchema: {} }, async (_input, extra) => {
    await log(server, extra, 'info', 'Tool execution started');
    await pause(50);
    await log(server, extra, 'info', 'Tool processing data');
    await pause(50);
    await log(server, extra, 'info', 'Tool execution completed');
    return text('Tool with logging executed successfully');
  });

  server.registerTool('test_tool_with_progress', { description: 'Conformance fixture: reports progress 0, 50 and 100 of 100.', inputSchema: {} }, async (_input, extra) => {
    const progressToken = extra._meta?.progressToken;
    for (const progress of [0, 50, 100]) {
      // Progress is sent only for a request that asked for it (a token in `_meta`), per the spec.
      if (progressToken !== undefined) {
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total: 100, message: `Completed ${progress} of 100` } });
      }
      if (progress < 100) await pause(50);
    }
    return text(`Progress reported${progressToken === undefined ? ' to nobody (no progress token)' : ` for token ${String(progressToken)}`}`);
  });

  server.registerTool('test_error_handling', { description: 'Conformance fixture: always fails with a tool error.', inputSchema: {} }, () =>
    failure('This tool intentionally returns an error for testing'),
  );

  server.registerTool(
    'test_sampling',
    { description: 'Conformance fixture: asks the client for an LLM completion (sampling/createMessage).', inputSchema: { prompt: z.string().describe('The prompt to send to the LLM') } },
    async ({ prompt }, extra) => {
      if (!server.server.getClientCapabilities()?.sampling) return failure('the client does not support sampling (no `sampling` capability)');
      const result = await extra.sendRequest(
        { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 } },
        CreateMessageResultSchema,
      );
      const content = Array.isArray(result.content) ? result.content[0] : result.content;
      return text(`LLM response: ${content?.type === 'text' ? content.text : `(${content?.type ?? 'no'} content)`}`);
    },
  );

  server.registerTool(
    'test_elicitation',
    { description: 'Conformance fixture: asks the user for a username and an email (elicitation/create).', inputSchema: { message: z.string().describe('The message to show the user') } },
    ({ message }, extra) =>
      elicit(server, extra, {
        message,
        requestedSchema: {
          type: 'object',
          properties: {
            username: { type: 'string', description: "User's response" },
            email: { type: 'string', description: "User's email address" },
          },
          required: ['username', 'email'],
        },
      }),
  );

  server.registerTool('test_elicitation_sep1034_defaults', { description: 'Conformance fixture: elicitation whose fields all carry defaults (SEP-1034).', inputSchema: {} }, (_input, extra) =>
    elicit(server, extra, {
      message: 'Please review and update the form fields with defaults',
      requestedSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'User name', default: 'John Doe' },
          age: { type: 'integer', description: 'User age', default: 30 },
          score: { type: 'number', description: 'User score', default: 95.5 },
          status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
          verified: { type: 'boolean', description: 'Verification status', default: true },
        },
        required: [],
      },
    }),
  );

  server.registerTool('test_elicitation_sep1330_enums', { description: 'Conformance fixture: elicitation with the five enum forms of SEP-1330.', inputSchema: {} }, (_input, extra) =>
    elicit(server, extra, {
      message: 'Please select options from the enum fields',
      requestedSchema: {
        type: 'object',
        properties: {
          untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
          titledSingle: {
            type: 'string',
            description: 'Select one option with titles',
            oneOf: [
              { const: 'value1', title: 'First Option' },
              { const: 'value2', title: 'Second Option' },
              { const: 'value3', title: 'Third Option' },
            ],
          },
          legacyEnum: { type: 'string', description: 'Select one option (legacy)', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
          untitledMulti: { type: 'array', description: 'Select several options', minItems: 1, maxItems: 3, items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
          titledMulti: {
            type: 'array',
            description: 'Select several options with titles',
            minItems: 1,
            maxItems: 3,
            items: {
              anyOf: [
                { const: 'value1', title: 'First Choice' },
                { const: 'value2', title: 'Second Choice' },
                { const: 'value3', title: 'Third Choice' },
              ],
            },
          },
        },
        required: [],
      },
    }),
  );

  // Declared in zod and listed through exai's own tools/list (and its compaction), as any tool of
  // exai's is: the json-schema-2020-12 scenario then shows what reaches a client. The SDK (v1)
  // cannot register a raw JSON Schema; it writes draft-07 (`definitions`, not `$defs`), and exai's
  // compaction drops the `$schema` line, so two of the scenario's checks fail (see the baseline).
  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'Conformance fixture: a tool whose input schema is a closed object with a nested object (SEP-1613).',
      inputSchema: z.strictObject({ name: z.string().optional(), address: z.object({ street: z.string().optional(), city: z.string().optional() }).optional() }),
    },
    (input) => text(`json_schema_2020_12_tool called with ${JSON.stringify(input)}`),
  );

  server.registerTool(
    'test_reconnection',
    { description: 'Conformance fixture: closes its SSE stream mid-call when the transport can resume (SEP-1699), then answers.', inputSchema: {} },
    async (_input, extra) => {
      // Only offered by a transport with an event store; the daemon's /mcp has none, so the answer
      // comes on the same stream (the server-sse-polling scenario's baseline entry says why).
      extra.closeSSEStream?.();
      await pause(100);
      return text(extra.closeSSEStream ? 'Answered after closing the stream' : 'Answered on the open stream (this transport does not resume streams)');
    },
  );

  let added: RegisteredTool | undefined;
  server.registerTool(
    'test_dynamic_tool',
    { description: 'Conformance fixture: adds `test_dynamic_tool_added` (or removes it again); the client receives notifications/tools/list_changed.', inputSchema: {} },
    () => {
      if (added) {
        added.remove();
        added = undefined;
        return text('Removed test_dynamic_tool_added');
      }
      added = server.registerTool('test_dynamic_tool_added', { description: 'Conformance fixture: registered at run time by test_dynamic_tool.', inputSchema: {} }, () =>
        text('This tool was added at run time.'),
      );
      return text('Added test_dynamic_tool_added');
    },
  );
}

/**
 * A log message related to the call, sent only at or above the level the client set with
 * `logging/setLevel` (spec: server/utilities/logging). The SDK keeps that level per session in a
 * private map; `isMessageIgnored` is the one way to read it.
 */
async function log(server: McpServer, extra: Extra, level: LoggingLevel, data: string): Promise<void> {
  const ignored = (server.server as unknown as { isMessageIgnored?: (level: LoggingLevel, sessionId?: string) => boolean }).isMessageIgnored;
  if (ignored?.(level, extra.sessionId)) return;
  await extra.sendNotification({ method: 'notifications/message', params: { level, logger: 'exai-conformance-fixtures', data } });
}

/** Asks the client for a form (elicitation/create), or fails as a tool error when the client cannot. */
async function elicit(server: McpServer, extra: Extra, params: Omit<ElicitRequestFormParams, 'mode'>): Promise<CallToolResult> {
  if (!server.server.getClientCapabilities()?.elicitation) return failure('the client does not support elicitation (no `elicitation` capability)');
  const result = await extra.sendRequest({ method: 'elicitation/create', params: { mode: 'form', ...params } }, ElicitResultSchema);
  return text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
}
