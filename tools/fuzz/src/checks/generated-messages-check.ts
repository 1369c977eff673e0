import fc from 'fast-check';
import { legacyFrame, mcpMessage, type FuzzMessage, type ToolInfo } from '../arbitraries/fuzz-message.js';
import { openAiRequest } from '../arbitraries/openai-request.js';
import type { StringPools } from '../arbitraries/schema-arguments.js';
import { CategoryTally } from '../category-tally.js';
import { isRecord, type HttpMcpSession } from '../clients/http-mcp-session.js';
import type { LegacyWsSession } from '../clients/legacy-ws-session.js';
import type { McpWsSession } from '../clients/mcp-ws-session.js';
import type { WsPeer } from '../clients/ws-peer.js';
import { httpExchange } from '../clients/http-exchange.js';
import type { FuzzRun } from '../fuzz-run.js';
import { closeProblem, leakProblem, rpcShapeProblem } from '../judge.js';

/** Frames of the original protocol that end a request. */
const LEGACY_FINAL = new Set(['call_tool_res', 'error', 'list_tools_res', 'pong', 'hello_ack', 'cancelled']);

/** Connections per face sending at the same time (the machine has two cores shared with the daemon). */
const WORKERS = { http: 3, websocket: 3, legacy: 2, openai: 1 } as const;

type Face = keyof typeof WORKERS;

/**
 * Category 1: generated JSON-RPC messages (and legacy frames) over `/mcp`, `/ws` with the `mcp`
 * subprotocol and the original protocol, and generated request bodies for `/v1/chat/completions`,
 * as mallory (a JWT user). Property, per message: a JSON-RPC
 * error, a tool result (`isError` or not), a clear 4xx or a close with a code and a reason, within
 * the time bound; a well-formed request always gets its answer; the connection still answers a probe
 * afterwards. Never a 5xx, a stack trace, an internal error, a hang or a connection dropped without
 * a reason. After every batch the daemon must be alive and answer a normal call.
 */
export async function checkGeneratedMessages(run: FuzzRun, tools: readonly ToolInfo[], pools: StringPools): Promise<{ generated: CategoryTally; liveness: CategoryTally }> {
  const generated = new CategoryTally('1. generated JSON-RPC and tool arguments');
  const liveness = new CategoryTally('1. liveness after each batch');
  const total = run.options.generated;
  const counts: Record<Face, number> = { http: Math.round(total * 0.35), websocket: Math.round(total * 0.35), openai: Math.round(total * 0.1), legacy: 0 };
  counts.legacy = total - counts.http - counts.websocket - counts.openai;
  const messages: Record<Face, FuzzMessage[]> = {
    http: sample(mcpMessage(tools, pools, 'http'), counts.http, run.options.seed),
    websocket: sample(mcpMessage(tools, pools, 'websocket'), counts.websocket, run.options.seed + 1),
    legacy: sample(legacyFrame(tools, pools), counts.legacy, run.options.seed + 2),
    openai: sample(openAiRequest(pools), counts.openai, run.options.seed + 3),
  };
  const batches = Math.max(1, Math.ceil(total / run.options.batch));
  const token = run.secrets.mallory;
  const faces = {
    http: new HttpFace(run, token),
    websocket: new WsFace(run, token),
    legacy: new LegacyFace(run, token),
    openai: new OpenAiFace(run, token),
  };
  let probe = 0;
  const nextProbe = (): string => `probe-${++probe}`;
  for (let batch = 0; batch < batches; batch++) {
    const started = performance.now();
    const work: Array<Promise<void>> = [];
    for (const face of Object.keys(WORKERS) as Face[]) {
      const list = messages[face];
      const size = Math.ceil(list.length / batches);
      const queue = list.slice(batch * size, (batch + 1) * size);
      for (let worker = 0; worker < WORKERS[face]; worker++) {
        work.push(
          (async () => {
            const connection = faces[face].connection();
            for (let message = queue.shift(); message !== undefined; message = queue.shift()) {
              const problem = await connection.send(message, nextProbe);
              generated.check(problem.problem, `${face} ${message.kind} ${preview(message.payload)}`, `${face}: ${problem.note}`);
            }
            await connection.close();
          })(),
        );
      }
    }
    await Promise.all(work);
    liveness.check(await run.liveness(), `after batch ${batch + 1}`);
    process.stdout.write(`  batch ${batch + 1}/${batches}: ${generated.cases} messages, ${generated.failed} failed (${Math.round(performance.now() - started)} ms)\n`);
    if (run.daemon.exit) break;
  }
  return { generated, liveness };
}

function sample(arbitrary: fc.Arbitrary<FuzzMessage>, count: number, seed: number): FuzzMessage[] {
  return count > 0 ? fc.sample(arbitrary, { numRuns: count, seed }) : [];
}

function preview(payload: string | Buffer): string {
  const text = typeof payload === 'string' ? payload : `<bytes ${payload.toString('hex').slice(0, 40)}>`;
  return text.length > 160 ? `${text.slice(0, 157)}... (${text.length} chars)` : text;
}

/** The verdict on one message: the problem (undefined when the property held) and what the answer was. */
interface Verdict {
  problem: string | undefined;
  note: string;
}

interface FaceConnection {
  send(message: FuzzMessage, nextProbe: () => string): Promise<Verdict>;
  close(): Promise<void>;
}

function sameId(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Object.is(a, b));
}

/** `/mcp`: each message is one POST in the worker's session. */
class HttpFace {
  constructor(
    readonly run: FuzzRun,
    readonly token: string,
  ) {}

  connection(): FaceConnection {
    let session: HttpMcpSession | undefined;
    const run = this.run;
    return {
      send: async (message) => {
        session ??= await run.http(this.token);
        const answer = await session.post(message.payload, message.headers ?? {});
        const problems: string[] = [];
        if (answer.failure) problems.push(`no answer: ${answer.failure}`);
        else if (answer.status >= 500) problems.push(`HTTP ${answer.status}: ${answer.text.slice(0, 200)}`);
        const leak = leakProblem(answer.text);
        if (leak) problems.push(leak);
        for (const reply of answer.messages) {
          const shape = rpcShapeProblem(reply);
          if (shape) problems.push(shape);
        }
        if (answer.status >= 400 && answer.status < 500 && !answer.messages.some((reply) => isRecord(reply) && isRecord(reply['error']))) {
          problems.push(`HTTP ${answer.status} without a JSON-RPC error body: ${answer.text.slice(0, 160)}`);
        }
        if (answer.status === 404 && message.headers?.['mcp-session-id'] === undefined) {
          problems.push('the session was lost (404)');
          session = undefined;
        }
        if (message.expectsAnswerTo !== undefined && message.headers === undefined && answer.status !== 0) {
          // The SDK's HTTP transport answers a message its schema refuses (params that are no object,
          // a body over the limit) with a 4xx and a JSON-RPC error without the id: a clear 4xx.
          const clear4xx = answer.status >= 400 && answer.status < 500 && answer.messages.some((reply) => isRecord(reply) && isRecord(reply['error']));
          const answered = clear4xx || answer.messages.some((reply) => isRecord(reply) && sameId(reply['id'], message.expectsAnswerTo));
          if (!answered) problems.push(`no answer with id ${JSON.stringify(message.expectsAnswerTo)} (HTTP ${answer.status}: ${answer.text.slice(0, 160)})`);
        }
        return { problem: problems[0], note: noteOf(answer.status, answer.messages) };
      },
      close: async () => {
        await session?.close();
      },
    };
  }
}

/** `/ws` with the `mcp` subprotocol: each message is one text frame, then a `ping` probe. */
class WsFace {
  constructor(
    readonly run: FuzzRun,
    readonly token: string,
  ) {}

  connection(): FaceConnection {
    let session: McpWsSession | undefined;
    const run = this.run;
    return {
      send: async (message, nextProbe) => {
        session ??= await run.ws(this.token);
        const peer = session.peer;
        const problems: string[] = [];
        let answered = message.expectsAnswerTo === undefined;
        peer.send(message.payload);
        if (message.expectsAnswerTo !== undefined) {
          const reply = await peer.next((candidate) => isRecord(candidate) && sameId(candidate['id'], message.expectsAnswerTo), run.timeoutMs);
          answered = reply !== undefined;
          if (reply !== undefined) inspect(reply, problems);
        }
        const probeId = nextProbe();
        peer.send(JSON.stringify({ jsonrpc: '2.0', id: probeId, method: 'ping' }));
        const pong = await peer.next((candidate) => isRecord(candidate) && candidate['id'] === probeId, run.timeoutMs);
        const extra = peer.drain();
        for (const reply of extra) inspect(reply, problems);
        const note = closedNote(peer) ?? (message.expectsAnswerTo === undefined ? (extra.length > 0 ? noteOf(200, extra) : 'no answer (not a request)') : 'answered');
        if (peer.closeInfo) {
          const problem = closeProblem(peer.closeInfo);
          if (problem) problems.push(problem);
          session = undefined;
        } else {
          if (!answered) problems.push(`no answer with id ${JSON.stringify(message.expectsAnswerTo)} within ${run.timeoutMs} ms`);
          if (pong === undefined) problems.push(`the probe after it was not answered within ${run.timeoutMs} ms`);
        }
        return { problem: problems[0], note };
      },
      close: async () => {
        await session?.close();
      },
    };
  }
}

/** `/ws`, the original protocol: each frame, then a `ping` probe. */
class LegacyFace {
  constructor(
    readonly run: FuzzRun,
    readonly token: string,
  ) {}

  connection(): FaceConnection {
    let session: LegacyWsSession | undefined;
    const run = this.run;
    return {
      send: async (message, nextProbe) => {
        session ??= await run.legacy(this.token);
        const peer = session.peer;
        const problems: string[] = [];
        peer.send(message.payload);
        let answered = message.expectsAnswerTo === undefined;
        if (message.expectsAnswerTo !== undefined) {
          const reply = await peer.next((frame) => isRecord(frame) && sameId(frame['request_id'], message.expectsAnswerTo) && LEGACY_FINAL.has(String(frame['op'])), run.timeoutMs);
          answered = reply !== undefined;
          if (reply !== undefined) inspectLegacy(reply, problems);
        }
        const probeId = nextProbe();
        peer.send(JSON.stringify({ op: 'ping', request_id: probeId }));
        const pong = await peer.next((frame) => isRecord(frame) && frame['request_id'] === probeId && frame['op'] === 'pong', run.timeoutMs);
        for (const frame of peer.drain()) inspectLegacy(frame, problems);
        const note = closedNote(peer) ?? (message.expectsAnswerTo === undefined ? 'probe answered' : 'answered');
        if (peer.closeInfo) {
          const problem = closeProblem(peer.closeInfo);
          if (problem) problems.push(problem);
          session = undefined;
        } else {
          if (!answered) problems.push(`no final frame for request_id ${JSON.stringify(message.expectsAnswerTo)} within ${run.timeoutMs} ms`);
          if (pong === undefined) problems.push(`the ping probe after it was not answered within ${run.timeoutMs} ms`);
        }
        return { problem: problems[0], note };
      },
      close: async () => {
        await session?.close();
      },
    };
  }
}

/** `POST /v1/chat/completions`: a completion (JSON, or SSE ending in `[DONE]`) or a 4xx with an OpenAI error body. */
class OpenAiFace {
  constructor(
    readonly run: FuzzRun,
    readonly token: string,
  ) {}

  connection(): FaceConnection {
    const run = this.run;
    return {
      send: async (message) => {
        const answer = await httpExchange(`${run.daemon.url}/v1/chat/completions`, {
          headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
          body: message.payload,
          timeoutMs: run.timeoutMs,
          scanner: run.scanner,
        });
        const problems: string[] = [];
        const contentType = answer.headers['content-type'] ?? '';
        let body: unknown;
        try {
          body = contentType.includes('json') ? JSON.parse(answer.text) : undefined;
        } catch {
          problems.push(`a JSON content type with a body that is not JSON: ${answer.text.slice(0, 120)}`);
        }
        if (answer.failure) problems.push(`no answer: ${answer.failure}`);
        else if (answer.status >= 500) problems.push(`HTTP ${answer.status}: ${answer.text.slice(0, 200)}`);
        else if (answer.status >= 400 && !(isRecord(body) && isRecord(body['error']) && typeof body['error']['message'] === 'string')) problems.push(`HTTP ${answer.status} without an OpenAI error body: ${answer.text.slice(0, 160)}`);
        else if (answer.status === 200 && contentType.includes('text/event-stream') && !/data: \[DONE\]\s*$/.test(answer.text) && !/data: \{"error"/.test(answer.text)) problems.push(`a stream that neither ends with [DONE] nor reports an error: …${answer.text.slice(-160)}`);
        else if (answer.status === 200 && !contentType.includes('text/event-stream') && !(isRecord(body) && Array.isArray(body['choices']))) problems.push(`HTTP 200 without choices: ${answer.text.slice(0, 160)}`);
        const leak = leakProblem(answer.text);
        if (leak) problems.push(leak);
        const note = answer.status === 200 ? (contentType.includes('event-stream') ? 'completion (stream)' : 'completion') : `HTTP ${answer.status}`;
        return { problem: problems[0], note };
      },
      close: async () => undefined,
    };
  }
}

function inspect(reply: unknown, problems: string[]): void {
  const shape = rpcShapeProblem(reply);
  if (shape) problems.push(shape);
  const leak = leakProblem(typeof reply === 'string' ? reply : JSON.stringify(reply));
  if (leak) problems.push(leak);
}

function inspectLegacy(frame: unknown, problems: string[]): void {
  if (!isRecord(frame) || typeof frame['op'] !== 'string') {
    problems.push(`not a frame of the protocol: ${String(JSON.stringify(frame)).slice(0, 160)}`);
    return;
  }
  if (frame['op'] === 'error') {
    const error = frame['error'];
    if (!isRecord(error) || typeof error['code'] !== 'string' || typeof error['message'] !== 'string') problems.push(`malformed error frame: ${JSON.stringify(frame).slice(0, 160)}`);
    else if (error['code'] === 'INTERNAL_ERROR') problems.push(`INTERNAL_ERROR: ${String(error['message'])}`);
  }
  const leak = leakProblem(JSON.stringify(frame));
  if (leak) problems.push(leak);
}

function closedNote(peer: WsPeer): string | undefined {
  const close = peer.closeInfo;
  return close ? `closed ${close.code} (${close.reason.slice(0, 40)})` : undefined;
}

/** How an answer looked, for the counts of the report. */
function noteOf(status: number, messages: readonly unknown[]): string {
  if (status === 0) return 'no answer';
  if (status >= 400) return `HTTP ${status}`;
  const first = messages.find((message) => isRecord(message) && ('result' in message || 'error' in message));
  if (!isRecord(first)) return status === 202 ? 'HTTP 202 (accepted)' : `HTTP ${status}, no message`;
  if (isRecord(first['error'])) return `JSON-RPC error ${String(first['error']['code'])}`;
  const result = first['result'];
  if (isRecord(result) && result['isError'] === true) return 'tool error (isError)';
  return 'result';
}
