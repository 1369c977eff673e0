import { isRecord, type ToolOutcome } from './clients/http-mcp-session.js';

/** A JavaScript stack frame (`at fn (/path/file.js:1:2)`, `at file:///…`, `at node:internal/…`). */
const stackFrame = /\bat (?:[^\s()]+ )?\(?(?:file:\/\/|\/|node:)[^\s)]*:\d+:\d+\)?/;

/** The problem when `text` carries a stack trace or a raw internal error, else undefined. */
export function leakProblem(text: string): string | undefined {
  if (stackFrame.test(text)) return `stack trace in the answer: ${excerpt(text, stackFrame)}`;
  if (/\[internal_error\]|Internal error in /.test(text)) return `internal error surfaced: ${excerpt(text, /Internal error in [^[]*|\[internal_error\]/)}`;
  if (/syntax error at or near|unterminated (?:quoted string|dollar-quoted string)|relation "[^"]+" does not exist|violates [a-z- ]*constraint|invalid byte sequence for encoding|unsupported Unicode escape sequence/i.test(text)) return `database error surfaced: ${excerpt(text, /syntax error at or near|unterminated (?:quoted string|dollar-quoted string)|relation "[^"]+" does not exist|violates [a-z- ]*constraint|invalid byte sequence for encoding|unsupported Unicode escape sequence/i)}`;
  return undefined;
}

/** The problem when `message` is not a well-formed JSON-RPC 2.0 message from a server. */
export function rpcShapeProblem(message: unknown): string | undefined {
  if (!isRecord(message)) return `not a JSON-RPC object: ${String(JSON.stringify(message)).slice(0, 120)}`;
  if (message['jsonrpc'] !== '2.0') return `jsonrpc is ${JSON.stringify(message['jsonrpc'])}`;
  if ('result' in message) return undefined;
  if ('error' in message) {
    const error = message['error'];
    if (!isRecord(error) || typeof error['code'] !== 'number' || typeof error['message'] !== 'string' || error['message'] === '') return `malformed error ${JSON.stringify(error).slice(0, 160)}`;
    if (error['code'] === -32603) return `JSON-RPC internal error (-32603): ${String(error['message']).slice(0, 200)}`;
    return undefined;
  }
  if (typeof message['method'] === 'string') return undefined;
  return `neither result, error nor method: ${JSON.stringify(message).slice(0, 160)}`;
}

/** The problem when a close is not a clear one: no code (1005), dropped without a close frame (1006), or no reason. */
export function closeProblem(close: { code: number; reason: string }): string | undefined {
  if (close.code === 1005 || close.code === 1006) return `connection dropped without a close frame (${close.code})`;
  if (close.reason.trim() === '') return `closed with ${close.code} and no reason`;
  return undefined;
}

/** Whether a tool call was refused: a tool error or a JSON-RPC error (not a transport failure). */
export function isRefused(outcome: ToolOutcome): boolean {
  return outcome.rpcError !== undefined || outcome.result?.isError === true;
}

function excerpt(text: string, pattern: RegExp): string {
  const match = pattern.exec(text);
  if (!match) return text.slice(0, 160);
  return text.slice(Math.max(0, match.index - 60), match.index + 120);
}
