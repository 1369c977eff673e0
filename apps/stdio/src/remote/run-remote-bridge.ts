import { createLogger } from '@exai/host';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { RemoteBridge } from './remote-bridge.js';

/**
 * Serves this process's stdio MCP client from a remote exai-daemon. Stdout carries MCP only; logs go
 * to stderr. Exits when stdin closes or the parent process is gone (no orphaned bridges).
 */
export async function runRemoteBridge(url: string): Promise<void> {
  const logger = createLogger({ level: process.env['LOG_LEVEL'] ?? 'info', file: process.env['EXAI_LOG_FILE'] || undefined, app: 'exai-stdio-remote' });
  const token = process.env['EXAI_TOKEN'] || undefined;
  if (!token) logger.warn('EXAI_TOKEN is not set: the daemon will refuse the connection unless it allows anonymous access');
  const transport = new StdioServerTransport();
  const bridge = new RemoteBridge(transport, { url, token, logger });
  const exit = (reason: string): void => {
    logger.info({ reason }, 'exai-stdio bridge stopping');
    bridge.stop();
    process.exit(0);
  };
  transport.onclose = () => exit('stdin closed');
  process.stdin.on('end', () => exit('stdin closed'));
  process.on('SIGINT', () => exit('SIGINT'));
  process.on('SIGTERM', () => exit('SIGTERM'));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) exit('parent process exited');
  }, 2_000).unref();
  await bridge.start();
  logger.info({ url }, 'exai-stdio bridging to the daemon');
}
