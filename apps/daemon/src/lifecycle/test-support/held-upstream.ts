import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

/** A proxy in front of the provider simulator that holds requests until the test releases them. */
export interface HeldUpstream {
  /** `http://127.0.0.1:<port>`: use it in place of the simulator's URL (same paths). */
  url: string;
  /** Resolves when the first request has arrived (and is being held). */
  arrived: Promise<void>;
  /** Lets the held requests, and every later one, through. */
  release(): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy to `target` that holds every request until {@link HeldUpstream.release}: a call
 * "in flight" for exactly as long as the test needs, whatever the machine's speed (a fixed latency
 * would make the test a race against the clock).
 */
export async function holdUpstream(target: string): Promise<HeldUpstream> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      arrive();
      await released;
      const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && !['host', 'connection', 'content-length'].includes(entry[0])));
      const upstream = await fetch(`${target}${request.url ?? '/'}`, { method: request.method ?? 'GET', headers, ...(body.length > 0 ? { body } : {}) });
      response.writeHead(upstream.status, Object.fromEntries([...upstream.headers].filter(([name]) => !['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name))));
      if (upstream.body) Readable.fromWeb(upstream.body).pipe(response);
      else response.end();
    })().catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrived,
    release,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
