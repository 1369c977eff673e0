import type { ServerResponse } from 'node:http';
import { sendJson } from '../http-helpers.js';

/** A JSON-RPC error object. */
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** JSON-RPC id of a request (null when the request could not be read or has none). */
export type JsonRpcId = string | number | null;

/**
 * Answers an HTTP request with a JSON-RPC error body: one error response per id given (an array
 * when the request was a batch), or a single one with `id: null`.
 */
export function sendJsonRpcError(
  response: ServerResponse,
  status: number,
  error: JsonRpcErrorObject,
  options: { ids?: readonly JsonRpcId[]; batch?: boolean; headers?: Record<string, string | number> } = {},
): void {
  const ids = options.ids && options.ids.length > 0 ? options.ids : [null];
  const bodies = ids.map((id) => ({ jsonrpc: '2.0', id, error }));
  sendJson(response, status, options.batch ? bodies : bodies[0], options.headers);
}
