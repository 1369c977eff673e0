import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

/** Options of {@link startTcpProxy}. */
export interface TcpProxyOptions {
  /** Where connections go. */
  targetHost: string;
  targetPort: number;
  /** Port to listen on (default: any free port); the proxy listens on 127.0.0.1. */
  port?: number;
}

/** A TCP proxy a test can cut, as if the network or the server went away, and restore. */
export interface TcpProxy {
  readonly host: string;
  readonly port: number;
  /** True between {@link cut} and {@link restore}. */
  readonly isCut: boolean;
  /** Connections currently open through the proxy. */
  readonly connections: number;
  /** `connectionString` with its host and port replaced by the proxy's. */
  url(connectionString: string): string;
  /** Resets every open connection (both sides) and resets new ones as soon as they arrive. */
  cut(): void;
  /** Lets new connections through again. */
  restore(): void;
  /** Cuts everything and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts a `node:net` proxy in front of `targetHost:targetPort`. While cut, clients see what a dead
 * database looks like: open connections are reset mid-query, new ones are reset before the server
 * says anything.
 *
 * @example
 * const proxy = await startTcpProxy({ targetHost: '127.0.0.1', targetPort: 5432 });
 * const storage = await createPostgresStorage({ connectionString: proxy.url(databaseUrl), bucketDir });
 * proxy.cut();    // the database is gone
 * proxy.restore(); // and back
 */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let cut = false;

  const server = createServer((client) => {
    if (cut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: options.targetHost, port: options.targetPort });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const resetAll = (): void => {
    for (const [client, upstream] of pairs) {
      // A reset, not a polite close: the client sees ECONNRESET as when a server dies.
      if (!client.destroyed) client.resetAndDestroy();
      if (!upstream.destroyed) upstream.resetAndDestroy();
    }
    pairs.clear();
  };

  return {
    host: '127.0.0.1',
    port,
    get isCut() {
      return cut;
    },
    get connections() {
      return pairs.size;
    },
    url(connectionString: string): string {
      const url = new URL(connectionString);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    cut(): void {
      cut = true;
      resetAll();
    },
    restore(): void {
      cut = false;
    },
    async close(): Promise<void> {
      cut = true;
      resetAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
