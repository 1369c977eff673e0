import type { DaemonProcess } from '@exai/harness';
import { HttpMcpSession, isRecord } from './clients/http-mcp-session.js';
import { httpExchange } from './clients/http-exchange.js';
import { LegacyWsSession } from './clients/legacy-ws-session.js';
import { McpWsSession } from './clients/mcp-ws-session.js';
import type { ToolInfo } from './arbitraries/fuzz-message.js';
import type { FuzzFixtures } from './fuzz-fixtures.js';
import type { FuzzOptions } from './fuzz-options.js';
import type { FuzzSecrets } from './fuzz-secrets.js';
import type { NeedleScanner } from './needle-scanner.js';
import type { Wiretap } from './spawn-wiretap.js';

/** Largest message or body of the run (`EXAI_WS_MAX_BYTES`): small, so oversized input is cheap to send. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** The model a normal call names (the simulator answers it at once). */
export const NORMAL_MODEL = 'glm-4.5-flash';

/** Everything the checks share: the processes, the fixtures, the credentials and the secret scanner. */
export class FuzzRun {
  constructor(
    readonly options: FuzzOptions,
    readonly daemon: DaemonProcess,
    readonly wiretap: Wiretap,
    readonly fixtures: FuzzFixtures,
    readonly secrets: FuzzSecrets,
    readonly scanner: NeedleScanner,
  ) {}

  /** Per-message time bound. */
  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  http(token: string): Promise<HttpMcpSession> {
    return HttpMcpSession.open(this.daemon.url, token, { timeoutMs: this.timeoutMs, scanner: this.scanner });
  }

  ws(token: string, tokenIn: 'header' | 'query' = 'header'): Promise<McpWsSession> {
    return McpWsSession.open(this.daemon.wsUrl, token, { timeoutMs: this.timeoutMs, scanner: this.scanner, tokenIn });
  }

  legacy(token: string, tokenIn: 'header' | 'query' | 'hello' = 'header'): Promise<LegacyWsSession> {
    return LegacyWsSession.open(this.daemon.wsUrl, token, { timeoutMs: this.timeoutMs, scanner: this.scanner, tokenIn });
  }

  /** The tools of the full profile, as `tools/list` describes them to alice. */
  async listTools(): Promise<ToolInfo[]> {
    const session = await this.http(this.secrets.alice);
    try {
      const { message } = await session.request('tools/list');
      const result = message?.['result'];
      if (!isRecord(result) || !Array.isArray(result['tools'])) throw new Error(`tools/list failed: ${JSON.stringify(message)?.slice(0, 300)}`);
      return result['tools'] as ToolInfo[];
    } finally {
      await session.close();
    }
  }

  /**
   * The daemon is alive and serves: `/healthz` answers 200, and a normal `chat` call over `/mcp`
   * returns the simulator's answer. Returns the problem, or undefined.
   */
  async liveness(): Promise<string | undefined> {
    if (this.daemon.exit) return `the daemon exited (${this.daemon.exit.code ?? this.daemon.exit.signal})`;
    const health = await httpExchange(`${this.daemon.url}/healthz`, { timeoutMs: this.timeoutMs, scanner: this.scanner });
    if (health.status !== 200) return `/healthz answered ${health.status || health.failure}`;
    let session: HttpMcpSession;
    try {
      session = await this.http(this.secrets.alice);
    } catch (error) {
      return `a new /mcp session failed: ${(error as Error).message}`;
    }
    try {
      const outcome = await session.callTool('chat', { prompt: 'liveness: say hello', model: NORMAL_MODEL });
      if (outcome.result?.isError === true) return `a normal chat call failed: ${outcome.text.slice(0, 200)}`;
      if (!outcome.result || !outcome.text.includes('You said')) return `a normal chat call did not answer: ${outcome.text.slice(0, 200)}`;
      return undefined;
    } finally {
      await session.close();
    }
  }
}
