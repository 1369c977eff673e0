import type { NeedleScanner } from '../needle-scanner.js';
import { isRecord, type ToolOutcome } from './http-mcp-session.js';
import { isRefusal, WsPeer } from './ws-peer.js';

/** Frames of the original protocol that end a request: its answer or its error. */
const FINAL_OPS = new Set(['call_tool_res', 'error', 'list_tools_res', 'pong', 'hello_ack', 'cancelled']);

/** The original daemon's protocol on `/ws` (no subprotocol) for one token. */
export class LegacyWsSession {
  #nextId = 1;

  private constructor(
    readonly peer: WsPeer,
    readonly timeoutMs: number,
  ) {}

  /** Connects (token in the `Authorization` header, the query, or the `hello` frame) and says hello. */
  static async open(wsURL: string, token: string, options: { timeoutMs: number; scanner: NeedleScanner; tokenIn?: 'header' | 'query' | 'hello' }): Promise<LegacyWsSession> {
    const tokenIn = options.tokenIn ?? 'header';
    const peer = await WsPeer.connect(tokenIn === 'query' ? `${wsURL}?token=${encodeURIComponent(token)}` : wsURL, {
      headers: tokenIn === 'header' ? { authorization: `Bearer ${token}` } : {},
      timeoutMs: options.timeoutMs,
      scanner: options.scanner,
    });
    if (isRefusal(peer)) throw new Error(`legacy WebSocket refused: ${peer.status} ${peer.body.slice(0, 200)}`);
    const session = new LegacyWsSession(peer, options.timeoutMs);
    const ack = await session.frame({ op: 'hello', ...(tokenIn === 'hello' ? { token } : {}) });
    if (!ack || ack['ok'] !== true) throw new Error(`legacy hello failed: ${JSON.stringify(ack)?.slice(0, 300)}`);
    return session;
  }

  /** Sends a frame with a fresh `request_id` and waits for the frame that ends it. */
  async frame(frame: Record<string, unknown>, timeoutMs = this.timeoutMs): Promise<Record<string, unknown> | undefined> {
    const requestId = `lg-${this.#nextId++}`;
    this.peer.send(JSON.stringify({ ...frame, request_id: requestId }));
    return (await this.peer.next((message) => isRecord(message) && message['request_id'] === requestId && FINAL_OPS.has(String(message['op'])), timeoutMs)) as
      | Record<string, unknown>
      | undefined;
  }

  /** `call_tool`, reduced to what the checks look at. */
  async callTool(name: string, args: unknown): Promise<ToolOutcome> {
    const answer = await this.frame({ op: 'call_tool', name, arguments: args });
    if (answer?.['op'] === 'call_tool_res') {
      const outputs = Array.isArray(answer['outputs']) ? (answer['outputs'] as Array<{ text?: string }>) : [];
      const structured = isRecord(answer['structured']) ? answer['structured'] : undefined;
      return { result: { isError: answer['is_error'] === true, content: outputs.map((output) => ({ type: 'text', text: output.text ?? '' })), ...(structured ? { structuredContent: structured } : {}) }, text: outputs.map((output) => output.text ?? '').join('\n') };
    }
    if (answer?.['op'] === 'error' && isRecord(answer['error'])) {
      const error = answer['error'] as { code?: string; message?: string };
      return { rpcError: { code: 0, message: `${error.code}: ${error.message}` }, text: `${error.code}: ${error.message}` };
    }
    const close = this.peer.closeInfo;
    const failure = close ? `closed ${close.code} ${close.reason}` : 'no answer within the time bound';
    return { failure, text: failure };
  }

  close(): Promise<void> {
    return this.peer.close();
  }
}
