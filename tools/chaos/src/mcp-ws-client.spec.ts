import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocketServer, type WebSocket } from 'ws';
import { McpWsClient, UpgradeRefusedError } from './mcp-ws-client.js';

let server: Server;
let url: string;
const sockets: WebSocket[] = [];

/** A stand-in MCP server: answers initialize and `echo`, never answers `hang`, refuses `/full` with 503. */
beforeAll(async () => {
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => 'mcp' });
  server = createServer();
  server.on('upgrade', (request, socket, head) => {
    if (request.url === '/full') {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 5\r\nConnection: close\r\n\r\n{"error":{"code":"connections","message":"full"}}');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.push(ws);
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { id?: number; method: string; params?: { _meta?: { progressToken?: string } } };
        if (message.id === undefined || message.method === 'hang') return;
        if (message.params?._meta?.progressToken) ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: message.params._meta.progressToken, progress: 1 } }));
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { method: message.method } }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('McpWsClient', () => {
  it('matches answers to requests and routes progress to its request', async () => {
    const client = await McpWsClient.connect(`${url}/ws`);
    const progress: unknown[] = [];
    const outcome = await client.request('echo', {}, { onProgress: (params) => progress.push(params.progress) });
    expect(outcome).toMatchObject({ kind: 'answer', result: { method: 'echo' } });
    expect(progress).toEqual([1]);
    await client.close();
  });

  it('settles every request once: by its time limit, or by the socket closing', async () => {
    const client = await McpWsClient.connect(`${url}/ws`);
    expect(await client.request('hang', {}, { timeoutMs: 50 })).toMatchObject({ kind: 'timeout' });
    const pending = client.request('hang', {});
    expect(client.pendingCount).toBe(1);
    sockets[sockets.length - 1]?.close(1012, 'restart');
    expect(await pending).toMatchObject({ kind: 'closed', code: 1012, reason: 'restart' });
    expect(client.pendingCount).toBe(0);
    expect(await client.request('echo', {})).toMatchObject({ kind: 'closed' });
  });

  it('reports an HTTP refusal of the upgrade with its status, code and Retry-After', async () => {
    const refusal = await McpWsClient.connect(`${url}/full`).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(UpgradeRefusedError);
    expect(refusal).toMatchObject({ status: 503, code: 'connections', retryAfter: '5' });
  });
});
