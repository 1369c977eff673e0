import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The bin, as `npx exai-stdio` runs it: the one-file bundle of the build (the test target builds first). */
export const stdioMain = fileURLToPath(new URL('../../bin/exai-stdio.js', import.meta.url));

/** A connected MCP SDK client talking to a spawned `exai-stdio`, plus its stderr. */
export interface StdioSession {
  client: Client;
  stderr: () => string;
  close: () => Promise<void>;
}

/** Spawns exai-stdio with the given environment (in an empty working directory, so no stray `.env`). */
export async function startStdio(env: Record<string, string>, options: { cwd?: string; args?: string[] } = {}): Promise<StdioSession> {
  const cwd = options.cwd ?? mkdtempSync(join(tmpdir(), 'exai-stdio-'));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [stdioMain, ...(options.args ?? [])],
    // Threads in memory unless a test asks for a storage (PGlite takes a moment to open), and never in ~/.exai.
    // Tests write their files under the temporary folder: allow it unless a test sets its own roots.
    env: { ...getDefaultEnvironment(), LOG_LEVEL: 'debug', EXAI_STORAGE: 'memory', EXAI_DATA_DIR: join(cwd, 'exai-data'), EXAI_ALLOWED_ROOTS: tmpdir(), ...env },
    cwd,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'exai-e2e', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

/** The text of a tool result's first content item. */
export function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first?.type === 'text' ? first.text : '';
}
