import { spawn, type ChildProcess } from 'node:child_process';
import type { RpcAnswer } from './mcp-websocket-client.js';

/** A spawned stdio MCP server driven with raw newline-delimited JSON-RPC (no client library). */
export class StdioJsonRpc {
  #next = 1;
  #buffer = '';
  #stderr = '';
  readonly #waiting = new Map<number, (message: RpcAnswer) => void>();
  readonly #exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.#read(chunk));
    child.stderr?.on('data', (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString()).slice(-8_000)));
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.#exited.then(() => {
      for (const resolve of this.#waiting.values()) resolve({ error: { message: `the server exited: ${this.#stderr}` } });
      this.#waiting.clear();
    });
  }

  /** Spawns `node <args>` with the given environment; the process starts at once. */
  static spawn(options: { args: string[]; env: Record<string, string | undefined>; cwd?: string }): StdioJsonRpc {
    const child = spawn(process.execPath, options.args, { env: options.env, ...(options.cwd ? { cwd: options.cwd } : {}), stdio: ['pipe', 'pipe', 'pipe'] });
    return new StdioJsonRpc(child);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get stderr(): string {
    return this.#stderr;
  }

  request(method: string, params: unknown): Promise<RpcAnswer> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.child.stdin?.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  notify(method: string): void {
    this.child.stdin?.write(`${JSON.stringify({ jsonrpc: '2.0', method })}\n`);
  }

  /** Closes stdin (an MCP stdio server's signal to stop) and waits for the exit; kills it after 5 s. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.#exited;
    clearTimeout(timer);
  }

  #read(chunk: string): void {
    this.#buffer += chunk;
    let newline: number;
    while ((newline = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, newline).trim();
      this.#buffer = this.#buffer.slice(newline + 1);
      if (!line) continue;
      const message = JSON.parse(line) as RpcAnswer & { id?: number };
      if (typeof message.id !== 'number') continue;
      this.#waiting.get(message.id)?.(message);
      this.#waiting.delete(message.id);
    }
  }
}

/** The parameters of an `initialize` request from the benchmark. */
export const initializeParams = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'exai-bench', version: '1' } };
