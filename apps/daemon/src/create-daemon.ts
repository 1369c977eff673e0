import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { composeExai, createLogger, type ExaiComposition } from '@exai/host';
import { createExaiMcpServer } from '@exai/tools';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AuditLog } from './auth/audit-log.js';
import { createAuthenticator, type Authenticator } from './auth/authenticator.js';
import { registerConformanceFixtures } from './conformance/register-conformance-fixtures.js';
import type { DaemonConfig } from './daemon-config.js';
import type { DaemonContext, DaemonFace, Principal } from './daemon-context.js';
import { daemonFaces } from './daemon-faces.js';
import { createOriginCheck, sendJson } from './http-helpers.js';
import { InFlightTracker } from './in-flight-tracker.js';
import { DaemonLimits } from './limits/daemon-limits.js';
import { DaemonMetrics } from './observability/daemon-metrics.js';
import { SessionRegistry } from './sessions/session-registry.js';
import { version } from './version.js';

/** A running daemon. */
export interface Daemon {
  readonly context: DaemonContext;
  /** `http://host:port` as bound. */
  readonly url: string;
  readonly port: number;
  /**
   * Graceful stop: refuse new work, tell clients, let in-flight calls finish up to
   * `EXAI_SHUTDOWN_DEADLINE_MS` (then cancel them), flush storage, close Redis. Idempotent.
   */
  stop(reason?: string): Promise<void>;
}

/** What tests and embedding services may replace. */
export interface StartDaemonOptions {
  logger?: Logger;
  /** A composition built elsewhere (default: `composeExai(config.exai, logger)`). */
  exai?: ExaiComposition;
  authenticator?: Authenticator;
}

/**
 * Starts exai-daemon: one HTTP server on `EXAI_WS_HOST:EXAI_WS_PORT` serving every face (MCP over
 * WebSocket and Streamable HTTP, the original WebSocket protocol, the OpenAI-compatible gateway,
 * health, metrics, dashboard), sharing one router, storage, auth and set of limits.
 */
export async function startDaemon(config: DaemonConfig, options: StartDaemonOptions = {}): Promise<Daemon> {
  const logger = options.logger ?? createLogger({ level: config.exai.logLevel, file: config.exai.logFile, app: 'exai-daemon' });
  const exai = options.exai ?? composeExai(config.exai, logger);
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, logger) : undefined;
  const inFlight = new InFlightTracker();
  // HTTP exchanges that carry work (every method but GET and HEAD: long-lived SSE streams and probes
  // are GETs), counted until their response has closed, so shutdown lets the answer of a finished
  // call reach its client before the faces close their sessions.
  const exchanges = new InFlightTracker();
  const sessions = new SessionRegistry({ redis, ttlMs: config.sessionTtlMs, replicaId: config.replicaId, logger, keyPrefix: `${config.redisPrefix}:session:` });
  const faces: DaemonFace[] = [];
  const metrics = new DaemonMetrics({ router: exai.router, storageStatus: () => exai.storage.status(), sessions: () => sessions.countByTransport(), inFlight: () => inFlight.count });
  const limits = new DaemonLimits(config, { redis, logger, keyPrefix: `${config.redisPrefix}:ratelimit` });
  limits.onRefused = (refusal) => metrics.refused.inc({ limit: refusal.limit });
  const audit = new AuditLog(exai.storage.service, logger.child({ component: 'audit' }));
  const auth = options.authenticator ?? createAuthenticator(config.auth);
  const shutdown = new AbortController();
  const toolObserver = metrics.toolObserver();
  let draining = false;
  const server: Server = createServer({ maxHeaderSize: 16 * 1024 }, (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') response.once('close', exchanges.begin());
    void dispatch(faces, request, response, { logger, draining: () => draining });
  });

  const context: DaemonContext = {
    config,
    logger,
    exai,
    redis,
    auth,
    audit,
    limits,
    metrics,
    sessions,
    inFlight,
    checkOrigin: createOriginCheck(config),
    version,
    startedAt: new Date(),
    get draining() {
      return draining;
    },
    shutdownSignal: shutdown.signal,
    userScope: (principal: Principal) => exai.forUser(principal.userId),
    createMcpServer(principal, { sessionId, transport }) {
      const scope = exai.forUser(principal.userId);
      const server: McpServer = createExaiMcpServer({
        router: exai.router,
        storage: scope.storage,
        storageStatus: () => exai.storage.status(),
        conversations: scope.conversations,
        vendors: exai.vendors,
        providers: exai.providers,
        logger: logger.child({ session: sessionId, user: principal.subject }),
        version,
        transport,
        defaultModel: config.exai.defaultModel,
        limits: { promptMaxChars: config.exai.promptMaxChars, maxFileBytes: config.exai.maxFileBytes, toolTimeoutMs: config.exai.timeouts.toolMs, allowedRoots: config.exai.allowedRoots },
        tools: config.exai.tools,
        // The daemon's users share its provider keys: each sees only the provider files exai uploaded for them.
        providerAccounts: 'shared',
        session: sessionId,
        observer: {
          started: (tool) => {
            const end = inFlight.begin();
            ends.set(sessionId, [...(ends.get(sessionId) ?? []), end]);
            busy.set(server, (busy.get(server) ?? 0) + 1);
            toolObserver.started?.(tool);
          },
          finished: (event) => {
            const pending = ends.get(sessionId);
            const end = pending?.shift();
            if (pending?.length === 0) ends.delete(sessionId);
            // The call counts until its answer has been handed to the transport: the SDK sends it a few
            // promise turns after the tool returns, and shutdown must not close the connection first.
            if (end) setImmediate(end);
            const running = (busy.get(server) ?? 1) - 1;
            if (running > 0) busy.set(server, running);
            else busy.delete(server);
            toolObserver.finished?.(event);
            sessions.touch(sessionId);
          },
        },
      });
      if (config.conformanceFixtures) registerConformanceFixtures(server);
      return server;
    },
    baseUrl() {
      if (config.publicUrl) return config.publicUrl;
      const address = server.address() as AddressInfo | null | undefined;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
      return `http://${host}:${address?.port ?? config.port}`;
    },
  };
  // In-flight ends per session, in start order (a session's calls finish in any order, but each ends one unit).
  const ends = new Map<string, Array<() => void>>();
  // MCP servers with calls running (only while they run, so nothing is kept for idle sessions). When the
  // shutdown deadline passes they are closed, which aborts their calls' signals down to the provider
  // fetch, whatever transport a face connected them to.
  const busy = new Map<McpServer, number>();
  shutdown.signal.addEventListener(
    'abort',
    () => {
      // After the faces' own listeners (added later, run in the same dispatch): they answer their running
      // calls with the shutdown error first — a closed server's transport can send nothing more.
      queueMicrotask(() => {
        for (const server of busy.keys()) server.close().catch((error: unknown) => logger.debug({ err: error }, 'MCP server did not close cleanly'));
      });
    },
    { once: true },
  );

  faces.push(...daemonFaces(context));

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    for (const face of faces) if (face.handleUpgrade?.(request, socket, head, url)) return;
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  server.on('clientError', (error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    logger.debug({ err: error }, 'bad HTTP request');
  });
  // Long model calls: keep requests open as long as a tool may run.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = context.baseUrl();
  logger.info({ url, faces: faces.map((face) => face.name), storage: config.exai.storage.kind, redis: Boolean(redis), replica: config.replicaId }, `exai-daemon listening on ${url}`);
  if (config.conformanceFixtures) logger.warn('EXAI_CONFORMANCE_FIXTURES is on: every MCP session lists the conformance test tools, resources and prompts (for tools/conformance, never a deployment)');
  exai.opening.then(
    (storage) => logger.info({ storage: storage.status() }, 'storage ready'),
    (error: unknown) => logger.error({ err: error }, 'storage could not be opened'),
  );

  let stopping: Promise<void> | undefined;
  const stop = (reason = 'stop requested'): Promise<void> => {
    stopping ??= (async () => {
      draining = true;
      logger.info({ reason, inFlight: inFlight.count, deadlineMs: config.shutdownDeadlineMs }, 'draining: no new connections or calls');
      // The port stays open while calls finish: /healthz and /readyz (503, draining) keep answering so a
      // load balancer sees the replica leave, and the faces refuse new work with a 503 and a retry-after
      // in their protocol rather than a connection reset.
      for (const face of faces) face.drain?.();
      const idle = await inFlight.whenIdle(config.shutdownDeadlineMs);
      if (!idle) {
        logger.warn({ inFlight: inFlight.count }, 'shutdown deadline passed: cancelling the calls still running');
        shutdown.abort(new Error('the server is shutting down'));
        await inFlight.whenIdle(2_000);
      } else {
        await exchanges.whenIdle(Math.min(5_000, config.shutdownDeadlineMs));
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const face of faces) await face.close?.().catch((error: unknown) => logger.warn({ err: error, face: face.name }, 'face did not close cleanly'));
      server.closeAllConnections();
      await closed;
      await exai.storage.close().catch((error: unknown) => logger.error({ err: error }, 'storage did not close cleanly'));
      await redis?.quit().catch(() => redis.disconnect());
      logger.info({ reason }, 'exai-daemon stopped');
    })();
    return stopping;
  };

  return { context, url, port, stop };
}

/**
 * Routes a request to the first face that takes it; 404 otherwise; a face's crash is a 500, never the
 * process's. While draining, faces refuse new sessions and calls themselves (503 with a retry-after
 * in their protocol) and every answer closes its connection.
 */
async function dispatch(faces: readonly DaemonFace[], request: IncomingMessage, response: ServerResponse, options: { logger: Logger; draining: () => boolean }): Promise<void> {
  const { logger } = options;
  const url = new URL(request.url ?? '/', 'http://localhost');
  // This replica is going away: do not keep the connection for another request.
  if (options.draining()) response.shouldKeepAlive = false;
  try {
    for (const face of faces) {
      if (face.handleRequest && (await face.handleRequest(request, response, url))) return;
    }
    sendJson(response, 404, { error: { code: 'not_found', message: `${request.method} ${url.pathname} is not served here (MCP: /mcp or /ws; OpenAI: /v1; health: /healthz, /readyz, /metrics)` } });
  } catch (error) {
    logger.error({ err: error, path: url.pathname }, 'request failed');
    sendJson(response, 500, { error: { code: 'internal_error', message: 'internal error' } });
  }
}

/**
 * Connects to Redis and waits (up to 2 s) until it is ready: without an offline queue, a command sent
 * while the connection is still opening fails at once, so the first calls after a start would be
 * limited per process (or refused) although Redis is fine. A Redis that is down does not stop the
 * start: the limits fail open or closed as configured until it answers.
 */
async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  // Fail fast while Redis is away (the rate limiter then fails open or closed as configured).
  // disconnectTimeout: ioredis waits that long for a socket that already failed to close again (a 2 s timer at stop).
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000, disconnectTimeout: 200, lazyConnect: false });
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => finish(false), 2_000);
    const onReady = (): void => finish(true);
    function finish(value: boolean): void {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(value);
    }
    redis.once('ready', onReady);
  });
  if (!ready) logger.warn('Redis is not reachable yet: rate limits and the session registry work per process until it is');
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) logger.warn({ err: error }, 'Redis unavailable');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info('Redis reachable again');
    down = false;
  });
  return redis;
}
