import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ExaiComposition, UserScope } from '@exai/host';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from './auth/audit-log.js';
import type { Authenticator } from './auth/authenticator.js';
import type { DaemonConfig } from './daemon-config.js';
import type { OriginCheck } from './http-helpers.js';
import type { InFlightTracker } from './in-flight-tracker.js';
import type { DaemonLimits } from './limits/daemon-limits.js';
import type { DaemonMetrics } from './observability/daemon-metrics.js';
import type { SessionRegistry } from './sessions/session-registry.js';

/** Who is calling: the token's subject, as a storage user. */
export interface Principal {
  /** The storage user (a UUID): the JWT `sub` when it is a UUID, else a UUID derived from it. */
  userId: string;
  /** The token's subject (`sub`, the static token's name, or `anonymous`). */
  subject: string;
  method: 'jwt' | 'jwks' | 'static' | 'anonymous';
  /** Claims of a JWT (never the token itself). */
  claims?: Record<string, unknown>;
}

/** Where a connection or request comes from. */
export interface ClientInfo {
  ip: string;
  userAgent: string | undefined;
}

/** What one face (WebSocket, Streamable HTTP, OpenAI gateway, health, dashboard) adds to the daemon. */
export interface DaemonFace {
  readonly name: string;
  /** Handles an HTTP request it owns and returns true; false lets the next face look at it. */
  handleRequest?(request: IncomingMessage, response: ServerResponse, url: URL): boolean | Promise<boolean>;
  /** Handles a WebSocket upgrade it owns and returns true. */
  handleUpgrade?(request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean;
  /** Shutdown, first phase: stop taking work and tell clients (the daemon is draining). */
  drain?(): void;
  /** Shutdown, last phase: close what is left (in-flight work has finished or the deadline passed). */
  close?(): Promise<void>;
}

/** What the daemon's parts share; one per process. */
export interface DaemonContext {
  readonly config: DaemonConfig;
  readonly logger: Logger;
  readonly exai: ExaiComposition;
  /** The shared Redis client when `REDIS_URL` is set (rate limits, session registry). */
  readonly redis: Redis | undefined;
  readonly auth: Authenticator;
  readonly audit: AuditLog;
  readonly limits: DaemonLimits;
  readonly metrics: DaemonMetrics;
  readonly sessions: SessionRegistry;
  readonly inFlight: InFlightTracker;
  /** Host and Origin validation of every HTTP request and upgrade (names worked out once). */
  readonly checkOrigin: OriginCheck;
  readonly version: string;
  readonly startedAt: Date;
  /** True once shutdown has begun: no new connections, sessions or calls. */
  readonly draining: boolean;
  /** Aborted when the shutdown deadline passes: in-flight work still running is cancelled. */
  readonly shutdownSignal: AbortSignal;
  /** The user's storage and threads. */
  userScope(principal: Principal): UserScope;
  /**
   * A new MCP server for one connection or session (never shared between transports), serving
   * the principal's tools with their storage, counted in metrics and in-flight tracking.
   */
  createMcpServer(principal: Principal, options: { sessionId: string; transport: 'websocket' | 'http' | 'legacy-websocket' }): McpServer;
  /** The daemon's base URL (`EXAI_PUBLIC_URL`, or from the bound address). */
  baseUrl(): string;
}
