import { randomUUID } from 'node:crypto';
import { createMemoryStorage, type Storage } from '@exai/storage';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ConversationMemory } from '../conversation/conversation-memory.js';
import { createExaiMcpServer, type ExaiServerOptions } from '../create-exai-mcp-server.js';
import { FakeRouter } from './fake-router.js';

/** Server options over a fake router and in-memory storage, for tool tests. */
export function fakeServerOptions(overrides: Partial<ExaiServerOptions> = {}): ExaiServerOptions & { storageRoot: Storage } {
  const storageRoot = createMemoryStorage();
  return {
    router: new FakeRouter(),
    storage: storageRoot.forUser(randomUUID()),
    storageStatus: () => storageRoot.status(),
    conversations: new ConversationMemory(),
    vendors: {},
    version: '9.9.9',
    transport: 'memory',
    providers: [{ provider: 'fake', configured: true, baseUrl: 'http://fake' }],
    defaultModel: 'fake-model',
    storageRoot,
    ...overrides,
  };
}

/** An MCP SDK client connected in memory to a fresh exai server. */
export async function connectClient(options: ExaiServerOptions): Promise<{ client: Client; call: (name: string, args?: Record<string, unknown>) => Promise<CallToolResult>; close: () => Promise<void> }> {
  const server = createExaiMcpServer(options);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientTransport);
  return {
    client,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: () => client.close(),
  };
}

/** The text of a tool result's first content item. */
export const textOf = (result: CallToolResult): string => (result.content[0]?.type === 'text' ? result.content[0].text : '');
