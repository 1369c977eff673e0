import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator } from '@exai/provider-sim';
import { NeedleScanner, type NeedleHit } from './needle-scanner.js';

/** Messages the fuzz runner sends to this process. */
export type WiretapCommand = { type: 'needles'; needles: Array<{ label: string; value: string }> } | { type: 'report' } | { type: 'stop' };

/** What this process reports: the simulator's URLs once, then on request what crossed the wire. */
export type WiretapEvent =
  | { type: 'ready'; glmBaseURL: string; kimiBaseURL: string; simulatorURL: string }
  | { type: 'report'; requests: number; bytes: number; hits: NeedleHit[]; counts: Record<string, number>; paths: Record<string, number> };

/**
 * A child process: the provider simulator behind a wire tap. Every request the daemon sends upstream
 * passes through a small proxy that scans its raw bytes (URL, headers, body: JSON, multipart uploads
 * and base64 images alike) for the needles the runner names, then forwards it to the simulator as it
 * is. The simulator's own request log keeps only parsed JSON and upload sizes, and only its last
 * 10,000 entries; the tap sees everything.
 */
async function main(): Promise<void> {
  const sim = await startSimulator({ latencyMs: 0, requestLogLimit: 0 });
  const scanner = new NeedleScanner();
  const paths: Record<string, number> = {};
  let requests = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(sim.url);

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse, body: Buffer): void => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers, agent },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
        answer.once('error', () => outgoing.destroy());
      },
    );
    upstream.once('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'application/json' });
      outgoing.end('{"error":{"message":"wiretap: simulator unreachable"}}');
    });
    // The daemon gave up (a cancelled call): the simulator must see the abort too.
    outgoing.once('close', () => {
      if (!outgoing.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  };

  const proxy = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.once('end', () => {
      const body = Buffer.concat(chunks);
      requests++;
      const path = (incoming.url ?? '/').split('?')[0] ?? '/';
      const route = path.replace(/\/files\/[^/]+/, '/files/{id}').replace(/\/caching\/[^/]+/, '/caching/{id}');
      paths[`${incoming.method} ${route}`] = (paths[`${incoming.method} ${route}`] ?? 0) + 1;
      const source = `upstream ${incoming.method} ${route}`;
      scanner.scanWhole(source, `${incoming.url}\n${JSON.stringify(incoming.headers)}\n`);
      scanner.scanWhole(source, body);
      forward(incoming, outgoing, body);
    });
    incoming.once('error', () => outgoing.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  const send = (event: WiretapEvent): void => {
    process.send?.(event);
  };
  process.on('message', (command: WiretapCommand) => {
    if (command.type === 'needles') for (const needle of command.needles) scanner.add(needle.label, needle.value);
    else if (command.type === 'report') send({ type: 'report', requests, bytes: scanner.scannedChars, hits: [...scanner.hits], counts: scanner.counts, paths });
    else if (command.type === 'stop') {
      proxy.close();
      proxy.closeAllConnections();
      void sim.close().then(() => process.exit(0));
    }
  });
  process.once('disconnect', () => process.exit(0));
  send({ type: 'ready', glmBaseURL: `${url}/api/paas/v4`, kimiBaseURL: `${url}/v1`, simulatorURL: sim.url });
}

main().catch((error: unknown) => {
  process.stderr.write(`wiretap-simulator: ${(error as Error).message}\n`);
  process.exit(1);
});
