import { WebSocket } from 'ws';

/** A JSON-RPC answer. */
export interface RpcAnswer {
  result?: unknown;
  error?: unknown;
}

const initializeParams = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'exai-bench', version: '1' } };

/**
 * A minimal MCP client over one WebSocket (subprotocol `mcp`): JSON-RPC requests with their answers
 * matched by id, nothing validated, so it measures the server rather than a client library.
 */
export class McpWebSocketClient {
  #next = 1;
  readonly #waiting = new Map<number, (message: RpcAnswer) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as RpcAnswer & { id?: number };
      if (typeof message.id !== 'number') return;
      this.#waiting.get(message.id)?.(message);
      this.#waiting.delete(message.id);
    });
    socket.on('close', () => {
      for (const resolve of this.#waiting.values()) resolve({ error: { message: 'the WebSocket closed' } });
      this.#waiting.clear();
    });
  }

  /** Connects and completes the MCP handshake. */
  static async connect(url: string): Promise<McpWebSocketClient> {
    const socket = new WebSocket(url, 'mcp', { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const client = new McpWebSocketClient(socket);
    const init = await client.request('initialize', initializeParams);
    if (init.error) throw new Error(`initialize failed: ${JSON.stringify(init.error)}`);
    socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    return client;
  }

  request(method: string, params: unknown): Promise<RpcAnswer> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  close(): void {
    this.socket.close();
  }
}
