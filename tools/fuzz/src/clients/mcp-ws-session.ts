import type { NeedleScanner } from '../needle-scanner.js';
import { isRecord, PROTOCOL_VERSION, type ToolOutcome } from './http-mcp-session.js';
import { isRefusal, WsPeer } from './ws-peer.js';

/** MCP over `/ws` (subprotocol `mcp`) for one token, speaking raw JSON-RPC. */
export class McpWsSession {
  #nextId = 1;

  private constructor(
    readonly peer: WsPeer,
    readonly timeoutMs: number,
  ) {}

  /** Connects with the token in the `Authorization` header (or the `token` query parameter) and initializes. */
  static async open(wsURL: string, token: string, options: { timeoutMs: number; scanner: NeedleScanner; tokenIn?: 'header' | 'query' }): Promise<McpWsSession> {
    const query = options.tokenIn === 'query';
    const peer = await WsPeer.connect(query ? `${wsURL}?token=${encodeURIComponent(token)}` : wsURL, {
      protocols: ['mcp'],
      headers: query ? {} : { authorization: `Bearer ${token}` },
      timeoutMs: options.timeoutMs,
      scanner: options.scanner,
    });
    if (isRefusal(peer)) throw new Error(`MCP WebSocket refused: ${peer.status} ${peer.body.slice(0, 200)}`);
    const session = new McpWsSession(peer, options.timeoutMs);
    const init = await session.request('initialize', { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'exai-fuzz', version: '1' } });
    if (!init || !isRecord(init['result'])) throw new Error(`initialize over /ws failed: ${JSON.stringify(init)?.slice(0, 300)}`);
    peer.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    return session;
  }

  /** A request; its answer (by id), or undefined past the time bound or on close. */
  async request(method: string, params?: unknown, timeoutMs = this.timeoutMs): Promise<Record<string, unknown> | undefined> {
    const id = `ws-${this.#nextId++}`;
    this.peer.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }));
    return (await this.peer.next((message) => isRecord(message) && message['id'] === id, timeoutMs)) as Record<string, unknown> | undefined;
  }

  /** `tools/call`, reduced to what the checks look at. */
  async callTool(name: string, args: unknown): Promise<ToolOutcome> {
    const message = await this.request('tools/call', { name, arguments: args });
    if (message && isRecord(message['result'])) {
      const result = message['result'] as NonNullable<ToolOutcome['result']>;
      return { result, text: (result.content ?? []).map((part) => part.text ?? '').join('\n') };
    }
    if (message && isRecord(message['error'])) {
      const rpcError = message['error'] as NonNullable<ToolOutcome['rpcError']>;
      return { rpcError, text: String(rpcError.message) };
    }
    const close = this.peer.closeInfo;
    const failure = close ? `closed ${close.code} ${close.reason}` : 'no answer within the time bound';
    return { failure, text: failure };
  }

  close(): Promise<void> {
    return this.peer.close();
  }
}
