import type { NeedleScanner } from '../needle-scanner.js';
import { httpExchange, type HttpAnswer } from './http-exchange.js';

/** The protocol revision the runner speaks. */
export const PROTOCOL_VERSION = '2025-11-25';

/** What a tool call came back with over any face. */
export interface ToolOutcome {
  /** A normal or `isError` result. */
  result?: { isError?: boolean; content?: Array<{ type: string; text?: string }>; structuredContent?: Record<string, unknown> };
  /** A JSON-RPC error. */
  rpcError?: { code: number; message: string; data?: unknown };
  /** The transport failed (status, timeout, dropped connection). */
  failure?: string;
  /** The result's text parts joined, or the error's message. */
  text: string;
  status?: number;
}

/** A Streamable HTTP session at `/mcp` for one token, speaking raw JSON-RPC so anything can be sent. */
export class HttpMcpSession {
  #nextId = 1;

  private constructor(
    readonly url: string,
    readonly token: string,
    readonly sessionId: string,
    readonly options: { timeoutMs: number; scanner: NeedleScanner },
  ) {}

  /** Opens a session: `initialize`, then `notifications/initialized`. */
  static async open(baseURL: string, token: string, options: { timeoutMs: number; scanner: NeedleScanner }): Promise<HttpMcpSession> {
    const url = `${baseURL}/mcp`;
    const answer = await httpExchange(url, {
      headers: { ...jsonHeaders(), authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'exai-fuzz', version: '1' } } }),
      ...options,
    });
    const sessionId = answer.headers['mcp-session-id'];
    if (answer.status !== 200 || !sessionId) throw new Error(`initialize over /mcp failed: ${answer.status} ${answer.failure ?? answer.text.slice(0, 300)}`);
    const session = new HttpMcpSession(url, token, sessionId, options);
    await session.post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    return session;
  }

  /** Headers of a request in this session. */
  headers(): Record<string, string> {
    return { ...jsonHeaders(), authorization: `Bearer ${this.token}`, 'mcp-session-id': this.sessionId, 'mcp-protocol-version': PROTOCOL_VERSION };
  }

  /** POSTs a raw body in the session. */
  post(body: string | Buffer, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    return httpExchange(this.url, { headers: { ...this.headers(), ...headers }, body, ...this.options });
  }

  /** A JSON-RPC request; the answer's message with the request's id, if any. */
  async request(method: string, params?: unknown): Promise<{ answer: HttpAnswer; message: Record<string, unknown> | undefined }> {
    const id = `rq-${this.#nextId++}`;
    const answer = await this.post(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }));
    const message = answer.messages.find((candidate) => isRecord(candidate) && candidate['id'] === id) as Record<string, unknown> | undefined;
    return { answer, message };
  }

  /** `tools/call`, reduced to what the checks look at. */
  async callTool(name: string, args: unknown): Promise<ToolOutcome> {
    const { answer, message } = await this.request('tools/call', { name, arguments: args });
    return toolOutcome(answer, message);
  }

  /** Ends the session (DELETE). */
  async close(): Promise<void> {
    await httpExchange(this.url, { method: 'DELETE', headers: this.headers(), ...this.options });
  }
}

/** A tool outcome from a JSON-RPC answer. */
export function toolOutcome(answer: HttpAnswer | undefined, message: Record<string, unknown> | undefined): ToolOutcome {
  const status = answer?.status;
  if (message && isRecord(message['result'])) {
    const result = message['result'] as NonNullable<ToolOutcome['result']>;
    const text = (result.content ?? []).map((part) => part.text ?? '').join('\n');
    return { result, text, ...(status === undefined ? {} : { status }) };
  }
  if (message && isRecord(message['error'])) {
    const rpcError = message['error'] as NonNullable<ToolOutcome['rpcError']>;
    return { rpcError, text: String(rpcError.message), ...(status === undefined ? {} : { status }) };
  }
  const failure = answer?.failure ?? `HTTP ${status}: ${answer?.text.slice(0, 200) ?? ''}`;
  return { failure, text: failure, ...(status === undefined ? {} : { status }) };
}

function jsonHeaders(): Record<string, string> {
  return { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
}

/** A plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
