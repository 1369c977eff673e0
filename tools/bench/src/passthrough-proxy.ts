#!/usr/bin/env node
// The floor of any Node gateway: a pass-through proxy with no logic at all, as fast as Node makes
// one. `node:http` takes the request, `http.request` over kept-alive connections (cheaper than
// global `fetch`, whose WHATWG streams cost about 0.13 ms a call here) sends the same body to
// `BENCH_UPSTREAM` + the path after `/v1`, and the answer goes back as it came. Prints its port.
import { Agent, createServer, request as upstreamRequest } from 'node:http';

const upstream = new URL(process.env['BENCH_UPSTREAM'] ?? 'http://127.0.0.1/');
const basePath = upstream.pathname.replace(/\/$/, '');
const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const forwarded = upstreamRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: basePath + (request.url ?? '/').replace(/^\/v1/, ''),
        method: request.method ?? 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: request.headers.authorization ?? '' },
      },
      (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          const out = Buffer.concat(parts);
          response.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json', 'content-length': out.length });
          response.end(out);
        });
      },
    );
    forwarded.on('error', (error: Error) => {
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error) } }));
    });
    forwarded.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => process.exit(0));
