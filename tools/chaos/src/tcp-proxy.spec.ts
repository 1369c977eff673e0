import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TcpProxy } from './tcp-proxy.js';

let echo: Server;
let echoPort: number;

beforeAll(async () => {
  echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as { port: number }).port;
});
afterAll(async () => new Promise<void>((resolve) => echo.close(() => resolve())));

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function roundTrip(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (data) => resolve(String(data)));
    socket.write(text);
  });
}

describe('TcpProxy', () => {
  it('forwards, resets open connections and refuses new ones when cut, and forwards again on the same port once restored', async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: echoPort });
    try {
      const socket = await open(proxy.port);
      expect(await roundTrip(socket, 'hello')).toBe('hello');
      const closed = new Promise<string>((resolve) => {
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
        socket.once('close', () => resolve('closed'));
      });
      const port = proxy.port;
      await proxy.cut();
      expect(['ECONNRESET', 'closed']).toContain(await closed);
      expect(proxy.up).toBe(false);
      await expect(open(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      await proxy.restore();
      expect(proxy.port).toBe(port);
      const again = await open(port);
      expect(await roundTrip(again, 'back')).toBe('back');
      expect(proxy.rewrite('postgres://user@db.example:5432/exai')).toBe(`postgres://user@127.0.0.1:${port}/exai`);
      again.destroy();
    } finally {
      await proxy.close();
    }
  });
});
