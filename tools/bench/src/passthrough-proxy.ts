#!/usr/bin/env node
// The floor of any Node gateway: a pass-through proxy with no logic at all. `node:http` takes the
// request, global `fetch` (undici, as Portkey's and exai's providers use) sends the same body to
// `BENCH_UPSTREAM` + the path after `/v1`, and the answer goes back as it came. Prints its port.
import { createServer } from 'node:http';

const upstream = process.env['BENCH_UPSTREAM'] ?? '';
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const path = (request.url ?? '/').replace(/^\/v1/, '');
    fetch(`${upstream}${path}`, {
      method: request.method ?? 'POST',
      headers: { 'content-type': 'application/json', authorization: request.headers.authorization ?? '' },
      body: Buffer.concat(chunks),
    }).then(
      async (answer) => {
        const body = Buffer.from(await answer.arrayBuffer());
        response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json', 'content-length': body.length });
        response.end(body);
      },
      (error: unknown) => {
        response.writeHead(502, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: String(error) } }));
      },
    );
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => process.exit(0));
