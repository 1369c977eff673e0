import type { RpcAnswer } from './mcp-websocket-client.js';

const PROTOCOL_VERSION = '2025-11-25';
const initializeParams = { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'exai-bench', version: '1' } };

/**
 * A minimal MCP Streamable HTTP client (one session): each request is one POST, answered as JSON or
 * as an SSE stream that carries the answer; nothing validated, so it measures the server rather than
 * a client library.
 */
export class McpHttpClient {
  #next = 1;

  private constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
  ) {}

  /** Opens a session (initialize, then `notifications/initialized`). */
  static async connect(url: string, token: string): Promise<McpHttpClient> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: initializeParams }) });
    const session = response.headers.get('mcp-session-id');
    const answer = answerIn(await response.text(), 0);
    if (!response.ok || !session || answer.error) throw new Error(`initialize failed: HTTP ${response.status} ${JSON.stringify(answer)}`);
    const client = new McpHttpClient(url, { ...headers, 'mcp-session-id': session, 'mcp-protocol-version': PROTOCOL_VERSION });
    const initialized = await fetch(url, { method: 'POST', headers: client.headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    await initialized.arrayBuffer();
    return client;
  }

  async request(method: string, params: unknown): Promise<RpcAnswer> {
    const id = this.#next++;
    const response = await fetch(this.url, { method: 'POST', headers: this.headers, body: JSON.stringify({ jsonrpc: '2.0', id, method, params }) });
    const text = await response.text();
    if (!response.ok) return { error: { status: response.status, body: text } };
    return answerIn(text, id);
  }

  /** Ends the session (`DELETE`). */
  async close(): Promise<void> {
    const response = await fetch(this.url, { method: 'DELETE', headers: this.headers }).catch(() => undefined);
    await response?.arrayBuffer();
  }
}

/** The JSON-RPC answer with `id` in a JSON body or in the `data:` lines of an SSE body. */
export function answerIn(body: string, id: number): RpcAnswer {
  const trimmed = body.trimStart();
  const candidates = trimmed.startsWith('{') || trimmed.startsWith('[') ? [trimmed] : sseData(body);
  for (const candidate of candidates) {
    const parsed = JSON.parse(candidate) as unknown;
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
      if ((message as { id?: unknown }).id === id) return message as RpcAnswer;
    }
  }
  return { error: { message: `no answer with id ${id} in: ${body.slice(0, 200)}` } };
}

function sseData(body: string): string[] {
  const events: string[] = [];
  for (const block of body.split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trimStart())
      .join('\n');
    if (data) events.push(data);
  }
  return events;
}
