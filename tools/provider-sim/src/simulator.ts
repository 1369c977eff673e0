import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { planFaults, runReplacingFaults } from './common-faults.js';
import type { Exchange } from './exchange.js';
import { glmAuthError, glmErrors, glmHandle } from './glm-api.js';
import { isRecord, readBody, respondJson } from './http-io.js';
import { kimiAuthError, kimiErrors, kimiHandle } from './kimi-api.js';
import { lastUserText, messagesOf } from './messages.js';
import { parseUpload, type Upload } from './multipart.js';
import { SimState } from './state.js';
import type { Simulator, SimulatorOptions, Vendor } from './types.js';

const prefixes: readonly [string, Vendor][] = [
  ['/api/paas/v4/', 'glm'],
  ['/api/coding/paas/v4/', 'glm'],
  ['/v1/', 'kimi'],
];

function matchVendor(path: string): { vendor: Vendor; route: string } | undefined {
  for (const [prefix, vendor] of prefixes) {
    if (path.startsWith(prefix)) return { vendor, route: path.slice(prefix.length - 1) };
  }
  return undefined;
}

/** Where the fault markers of a request live: the last user message, or a web search query. */
function markerText(body: unknown): string {
  const messages = messagesOf(body);
  if (messages) return lastUserText(messages);
  return isRecord(body) && typeof body.search_query === 'string' ? body.search_query : '';
}

async function parseBody(req: IncomingMessage): Promise<{ body: unknown; malformed: boolean; upload: Upload | undefined }> {
  const raw = await readBody(req);
  const contentType = req.headers['content-type'] ?? '';
  if (contentType.startsWith('multipart/form-data')) {
    const upload = await parseUpload(raw, contentType);
    return { body: { purpose: upload.purpose, filename: upload.file?.name, bytes: upload.file?.data.length }, malformed: false, upload };
  }
  if (raw.length === 0) return { body: undefined, malformed: false, upload: undefined };
  try {
    return { body: JSON.parse(raw.toString('utf8')) as unknown, malformed: false, upload: undefined };
  } catch {
    return { body: undefined, malformed: true, upload: undefined };
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, state: SimState): Promise<void> {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  const target = matchVendor(path);
  if (!target) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `provider-sim: no route ${path}` } }));
    return;
  }
  const { body, malformed, upload } = await parseBody(req);
  const controller = new AbortController();
  const entry = state.log.add({
    vendor: target.vendor,
    method: req.method ?? 'GET',
    path,
    query: mark < 0 ? '' : url.slice(mark + 1),
    headers: req.headers,
    body,
    receivedAt: Date.now(),
  });
  const exchange: Exchange = {
    req,
    res,
    vendor: target.vendor,
    path,
    route: target.route,
    query: entry.query,
    body,
    malformed,
    upload,
    plan: {},
    latencyMs: state.latencyMs,
    signal: controller.signal,
    serverClosed: false,
  };
  res.once('finish', () => {
    entry.completed = true;
    entry.status = res.statusCode;
    state.log.changed(entry);
  });
  res.once('close', () => {
    controller.abort();
    if (res.writableFinished) return;
    entry.status = res.headersSent ? res.statusCode : undefined;
    // A scripted reset is the simulator's doing, not a cancelled call.
    if (!exchange.serverClosed) entry.aborted = true;
    state.log.changed(entry);
  });
  const glm = target.vendor === 'glm';
  const authError = glm ? glmAuthError(exchange, state) : kimiAuthError(exchange, state);
  if (authError) return respondJson(exchange, authError.status, authError.body);
  planFaults(exchange, state, markerText(body), isRecord(body) && typeof body.model === 'string' ? body.model : undefined);
  if (await runReplacingFaults(exchange, glm ? glmErrors : kimiErrors(state))) return;
  return glm ? glmHandle(exchange, state) : kimiHandle(exchange, state);
}

/**
 * Starts the simulator on `options.port` (default: a random free port) and resolves once it listens.
 *
 * @example
 * const sim = await startSimulator();
 * const glm = new OpenAI({ apiKey: 'k', baseURL: sim.glmBaseURL, maxRetries: 0 });
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const state = new SimState(options);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res, state).catch(() => {
      // The client went away mid-body, or a handler failed: never leave the socket hanging.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"provider-sim internal error"}}');
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    glmBaseURL: `${url}/api/paas/v4`,
    glmCodingBaseURL: `${url}/api/coding/paas/v4`,
    kimiBaseURL: `${url}/v1`,
    get requests() {
      return state.log.entries;
    },
    addFault: (rule) => state.rules.add(rule),
    clearFaults: () => state.rules.clear(),
    reset: () => state.reset(),
    setKimiBalance: (usd) => {
      state.kimiBalance = usd;
    },
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    waitFor: (predicate, waitOptions) => state.log.waitFor(predicate, waitOptions?.timeoutMs),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
