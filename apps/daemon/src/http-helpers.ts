import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DaemonConfig } from './daemon-config.js';

/** Sends a JSON body with its status and headers (no-op when the response has already ended). */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  if (response.writableEnded) return;
  const text = JSON.stringify(body);
  if (!response.headersSent) {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  }
  response.end(text);
}

/** A request body that could not be read as JSON: `status` 413 (too large) or 400. */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
    /** The rest of the body will not be read: answer with `Connection: close` so the client does not reuse the connection. */
    readonly closeConnection = false,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

/** How much of a refused body is read and dropped rather than cutting the connection: another limit's worth, at least 8 MiB. */
const discardAllowance = (maxBytes: number): number => Math.max(maxBytes, 8 * 1024 * 1024);

/**
 * Reads a JSON request body of at most `maxBytes`; a larger one is refused (413) as soon as its size
 * is known, without keeping it. The rest of a refused body is read and dropped, so a client still
 * uploading receives the 413 instead of a connection reset and its connection stays usable; a body
 * declared larger than {@link discardAllowance} more is not read (`closeConnection`), and a streamed
 * one that goes past it is cut off.
 */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    const drain = declared <= maxBytes + discardAllowance(maxBytes);
    if (drain) discardBody(request, declared);
    throw new BodyError(413, `request body of ${declared} bytes is over the limit of ${maxBytes} (EXAI_WS_MAX_BYTES)`, !drain);
  }
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    // Already read to the end (nothing left to wait for), or gone.
    if (request.readableEnded) return resolve();
    if (request.destroyed) return reject(new Error('the client closed the connection before the body ended'));
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      stop();
      discardBody(request, discardAllowance(maxBytes));
      reject(new BodyError(413, `request body is over the limit of ${maxBytes} bytes (EXAI_WS_MAX_BYTES)`));
    };
    const onEnd = (): void => {
      stop();
      resolve();
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    const onClose = (): void => onError(new Error('the client closed the connection before the body ended'));
    const stop = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onError);
    request.once('close', onClose);
  });
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new BodyError(400, 'request body is empty; send JSON');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BodyError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Drops the rest of a refused body. Closing at once would reset a client that is still sending
 * before it reads the answer (the unread bytes make the kernel send RST); past `limitBytes` more the
 * connection is cut anyway, so a refused upload cannot go on forever.
 */
function discardBody(request: IncomingMessage, limitBytes: number): void {
  let discarded = 0;
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limitBytes) request.socket.destroy();
  });
  request.resume();
}

/** The client's address (the socket's peer; IPv4-mapped IPv6 shown as IPv4). */
export function clientIp(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

const loopbackNames = ['localhost', '127.0.0.1', '[::1]', '::1'];

/** Answers whether a request may go on: the problem, or undefined. */
export type OriginCheck = (request: IncomingMessage) => string | undefined;

/**
 * DNS-rebinding and cross-site protection (MCP spec: servers MUST validate `Origin`): the `Host`
 * must name this server (loopback names, the bound host, `EXAI_PUBLIC_URL`'s host, `EXAI_ALLOWED_HOSTS`),
 * and an `Origin`, when a browser sends one, must be one of those hosts or in `EXAI_ALLOWED_ORIGINS`.
 * The names are worked out once; the returned check runs per request.
 */
export function createOriginCheck(config: Pick<DaemonConfig, 'host' | 'publicUrl' | 'allowedHosts' | 'allowedOrigins'>): OriginCheck {
  const hosts = new Set([...loopbackNames, ...config.allowedHosts.map((host) => host.toLowerCase())]);
  if (config.host !== '0.0.0.0' && config.host !== '::') hosts.add(config.host.toLowerCase());
  if (config.publicUrl) hosts.add(new URL(config.publicUrl).hostname.toLowerCase());
  // Bound to every interface with no names configured, any Host is accepted (a LAN or container
  // deployment); EXAI_ALLOWED_HOSTS or EXAI_PUBLIC_URL narrows it.
  const openHost = (config.host === '0.0.0.0' || config.host === '::') && config.allowedHosts.length === 0 && !config.publicUrl;
  return (request) => {
    const host = request.headers.host;
    if (host === undefined) return 'the Host header is missing';
    const hostname = hostnameOf(host);
    if (!openHost && !hosts.has(hostname)) return `Host "${host}" is not one of this server's names (set EXAI_ALLOWED_HOSTS or EXAI_PUBLIC_URL)`;
    const origin = request.headers.origin;
    if (origin === undefined || origin === 'null') return origin === 'null' ? 'Origin "null" is not allowed' : undefined;
    if (config.allowedOrigins.includes(origin)) return undefined;
    let originHost: string;
    try {
      originHost = new URL(origin).hostname.toLowerCase();
    } catch {
      return `Origin "${origin}" is not a URL`;
    }
    if (hosts.has(originHost) || hosts.has(`[${originHost}]`) || originHost === hostname) return undefined;
    return `Origin "${origin}" is not allowed (add it to EXAI_ALLOWED_ORIGINS)`;
  };
}

function hostnameOf(host: string): string {
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  const colon = value.lastIndexOf(':');
  return colon > 0 && value.indexOf(':') === colon ? value.slice(0, colon) : value;
}
