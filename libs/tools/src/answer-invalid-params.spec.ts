import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { LATEST_PROTOCOL_VERSION, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createExaiMcpServer } from './create-exai-mcp-server.js';
import { FakeRouter } from './test-support/fake-router.js';
import { fakeServerOptions } from './test-support/tool-harness.js';

// Found by the hostile-input run (tools/fuzz): malformed params came back as -32603 "internal error"
// with zod's raw issue list, and a tools/call without params as a TypeError from our own code.
describe('answerInvalidParams (through createExaiMcpServer)', () => {
  let client: InMemoryTransport;
  const answers = new Map<string | number, JSONRPCMessage>();

  beforeEach(async () => {
    const server = createExaiMcpServer(fakeServerOptions({ router: new FakeRouter(), tools: { profile: 'lean' } }));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    client = clientSide;
    client.onmessage = (message) => {
      if ('id' in message && message.id !== undefined) answers.set(message.id, message);
    };
    await client.start();
  });

  afterEach(async () => {
    answers.clear();
    await client.close();
  });

  async function ask(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    await client.send(message as JSONRPCMessage);
    const id = message['id'] as string;
    for (let waited = 0; !answers.has(id) && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    return answers.get(id) as Record<string, unknown>;
  }

  it.each([
    ['arguments that are no object', { name: 'chat', arguments: 5 }, 'params.arguments'],
    ['a tool name that is no string', { name: 42, arguments: {} }, 'params.name'],
    ['no params at all', undefined, 'params'],
  ])('answers tools/call with %s as -32602 naming the field', async (_label, params, field) => {
    const answer = await ask({ jsonrpc: '2.0', id: `call-${field}`, method: 'tools/call', ...(params === undefined ? {} : { params }) });
    expect(answer['error']).toMatchObject({ code: -32602, message: expect.stringContaining(`Invalid params for tools/call: ${field}`) });
  });

  it('answers initialize without params as -32602, and the server still serves after it', async () => {
    expect((await ask({ jsonrpc: '2.0', id: 'init-bad', method: 'initialize' }))['error']).toMatchObject({ code: -32602, message: expect.stringContaining('Invalid params for initialize') });
    const init = await ask({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    expect(init['result']).toMatchObject({ serverInfo: { name: 'exai' } });
    const call = await ask({ jsonrpc: '2.0', id: 'ok', method: 'tools/call', params: { name: 'chat', arguments: { prompt: 'hello' } } });
    expect(call['result']).toMatchObject({ structuredContent: { content: 'echo: hello' } });
  });
});
