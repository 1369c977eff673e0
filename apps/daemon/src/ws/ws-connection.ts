import type { Logger } from 'pino';
import { WebSocket, type RawData } from 'ws';
import type { DaemonConfig } from '../daemon-config.js';

/** Close codes the WebSocket faces use (RFC 6455 §7.4 and the original daemon's 4000-range codes). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  invalidPayload: 1007,
  tooBig: 1009,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  invalidJson: 4000,
  missingHello: 4001,
  idle: 4002,
  unauthorized: 4003,
} as const;

/** What a connection needs from the daemon's configuration. */
export type WsConnectionConfig = Pick<DaemonConfig, 'heartbeat' | 'idleTimeoutMs' | 'maxBufferedBytes' | 'maxMessageBytes'>;

/** Options of {@link WsConnection}. */
export interface WsConnectionOptions {
  socket: WebSocket;
  config: WsConnectionConfig;
  logger: Logger;
  /** A text (or binary, read as UTF-8) message from the client. */
  onMessage(text: string): void;
  /** The socket closed, for whatever reason (called once). */
  onClose(code: number, reason: string): void;
}

/**
 * One accepted WebSocket, whichever protocol it speaks: heartbeat (ping every
 * `EXAI_WS_PING_INTERVAL_MS`, terminated without a pong within `EXAI_WS_PING_TIMEOUT_MS`), idle
 * timeout (`EXAI_IDLE_TIMEOUT_MS` without a message while no call runs), backpressure (a send while
 * more than `EXAI_WS_MAX_BUFFERED_BYTES` wait for the client closes it with 1013 instead of buffering
 * without bound) and a readable reason on the 1009 close of an oversized message.
 */
export class WsConnection {
  readonly #socket: WebSocket;
  readonly #options: WsConnectionOptions;
  #busy = 0;
  #idleWaiters: Array<() => void> = [];
  #closing = false;
  #closed = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #pongTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #terminateTimer: NodeJS.Timeout | undefined;
  readonly #whenClosed: Promise<void>;

  constructor(options: WsConnectionOptions) {
    this.#options = options;
    this.#socket = options.socket;
    const socket = this.#socket;
    const { config, logger } = options;
    // ws closes a frame it cannot take (oversized, not UTF-8, breaking the protocol) with a bare code
    // from inside its receiver; give each a reason a client can act on (the instance property
    // shadows the prototype method ws calls).
    const reasons: Record<number, string> = {
      [CloseCode.tooBig]: `message over the limit of ${config.maxMessageBytes} bytes (EXAI_WS_MAX_BYTES)`,
      [CloseCode.invalidPayload]: 'a text frame that is not valid UTF-8',
      [CloseCode.protocolError]: 'a frame that breaks the WebSocket protocol (RFC 6455)',
    };
    const close = socket.close.bind(socket);
    socket.close = (code?: number, reason?: string | Buffer) => close(code, !reason && code !== undefined ? (reasons[code] ?? reason) : reason);

    this.#whenClosed = new Promise((resolve) => {
      socket.once('close', (code: number, reason: Buffer) => {
        this.#closed = true;
        this.#clearTimers();
        options.onClose(code, reason.toString('utf8'));
        resolve();
      });
    });
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') logger.warn({ limit: config.maxMessageBytes }, 'WebSocket message over EXAI_WS_MAX_BYTES: closing with 1009');
      else if (error.code === 'WS_ERR_INVALID_UTF8') logger.info('WebSocket text frame not valid UTF-8: closing with 1007');
      else logger.debug({ err: error }, 'WebSocket error');
    });
    socket.on('message', (data: RawData) => {
      if (this.#closing) return;
      this.#armIdle();
      options.onMessage(textOf(data));
    });
    socket.on('pong', () => {
      clearTimeout(this.#pongTimer);
      this.#pongTimer = undefined;
    });
    this.#heartbeat = setInterval(() => this.#ping(), config.heartbeat.intervalMs);
    this.#heartbeat.unref();
    this.#armIdle();
  }

  /** True until close has begun. */
  get open(): boolean {
    return !this.#closing && this.#socket.readyState === WebSocket.OPEN;
  }

  /** Resolves when the socket has closed. */
  get closed(): Promise<void> {
    return this.#whenClosed;
  }

  /**
   * Sends one text frame. Returns false when it was not sent: the connection is closing, or the
   * client has left more than `EXAI_WS_MAX_BUFFERED_BYTES` unread, which closes it (1013).
   */
  send(text: string): boolean {
    if (!this.open) return false;
    const buffered = this.#socket.bufferedAmount;
    if (buffered > this.#options.config.maxBufferedBytes) {
      this.#options.logger.warn({ bufferedBytes: buffered, limit: this.#options.config.maxBufferedBytes }, 'WebSocket client too slow: closing with 1013');
      this.close(CloseCode.tryAgainLater, `client too slow: over ${this.#options.config.maxBufferedBytes} bytes unread (EXAI_WS_MAX_BUFFERED_BYTES)`);
      return false;
    }
    this.#socket.send(text);
    return true;
  }

  /**
   * Counts work running for the client (a tool call): the idle timeout does not run meanwhile.
   * Call the returned function once when it ends.
   */
  beginWork(): () => void {
    this.#busy++;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#busy--;
      if (this.#busy > 0) return;
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
      if (!this.#closing) this.#armIdle();
    };
  }

  /** Resolves when no work runs for the client (its last answer has been handed to the socket). */
  whenSettled(): Promise<void> {
    if (this.#busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Starts the closing handshake; a client that does not complete it (it may not be reading at
   * all) is cut off after `EXAI_WS_PING_TIMEOUT_MS`.
   */
  close(code: number, reason: string): void {
    if (this.#closing || this.#closed) return;
    this.#closing = true;
    this.#clearTimers();
    this.#socket.close(code, truncateReason(reason));
    this.#terminateTimer = setTimeout(() => this.#socket.terminate(), this.#options.config.heartbeat.timeoutMs);
    this.#terminateTimer.unref();
  }

  /** Drops the connection at once (no closing handshake). */
  terminate(): void {
    this.#closing = true;
    this.#socket.terminate();
  }

  #ping(): void {
    if (!this.open || this.#pongTimer !== undefined) return;
    this.#pongTimer = setTimeout(() => {
      this.#options.logger.info({ timeoutMs: this.#options.config.heartbeat.timeoutMs }, 'WebSocket client did not answer a ping: terminating');
      this.terminate();
    }, this.#options.config.heartbeat.timeoutMs);
    this.#pongTimer.unref();
    this.#socket.ping();
  }

  #armIdle(): void {
    if (this.#busy > 0) return;
    if (this.#idleTimer) {
      this.#idleTimer.refresh();
      return;
    }
    const idleMs = this.#options.config.idleTimeoutMs;
    this.#idleTimer = setTimeout(() => this.close(CloseCode.idle, `idle: no message for ${idleMs} ms (EXAI_IDLE_TIMEOUT_MS)`), idleMs);
    this.#idleTimer.unref();
  }

  #clearTimers(): void {
    clearInterval(this.#heartbeat);
    clearTimeout(this.#pongTimer);
    clearTimeout(this.#idleTimer);
    if (this.#closed) clearTimeout(this.#terminateTimer);
    this.#heartbeat = this.#pongTimer = this.#idleTimer = undefined;
  }
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** A close reason is at most 123 bytes (RFC 6455 §5.5: control frames carry ≤ 125 bytes). */
function truncateReason(reason: string): string {
  if (Buffer.byteLength(reason) <= 123) return reason;
  let text = reason;
  while (Buffer.byteLength(text) > 120) text = text.slice(0, -1);
  return `${text}...`;
}
