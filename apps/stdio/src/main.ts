#!/usr/bin/env node
import module from 'node:module';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createExaiMcpServer, selectTools, toolCatalogue } from '@exai/tools';
import { composeExai, ConfigError, createLogger, loadExaiConfig } from '@exai/host';
import { remoteUrl } from './remote/remote-url.js';
import { version } from './version.js';

/** exai over stdio: one person, one MCP client. stdout carries MCP messages only; logs go to stderr. */
async function main(): Promise<void> {
  const remote = remoteUrl(process.argv.slice(2), process.env);
  // The bridge (and its WebSocket client) is loaded only when asked for: a local start does not pay for it.
  if (remote !== undefined) return (await import('./remote/run-remote-bridge.js')).runRemoteBridge(remote);
  let config;
  try {
    config = loadExaiConfig();
  } catch (error) {
    process.stderr.write(`exai-stdio: ${(error as Error).message}\n`);
    process.exit(error instanceof ConfigError ? 78 : 1);
  }
  const logger = createLogger({ level: config.logLevel, file: config.logFile, app: 'exai-stdio' });
  let exai;
  try {
    exai = composeExai(config, logger);
  } catch (error) {
    process.stderr.write(`exai-stdio: ${(error as Error).message}\n`);
    process.exit(error instanceof ConfigError ? 78 : 1);
  }
  for (const provider of exai.providers) {
    if (!provider.configured) logger.warn({ provider: provider.provider }, `${provider.provider} is not configured: its models are unavailable (see listmodels)`);
  }
  const server = createExaiMcpServer({
    router: exai.router,
    storage: exai.storage.forUser(config.userId),
    storageStatus: () => exai.storage.status(),
    conversations: exai.conversations,
    vendors: exai.vendors,
    logger,
    version,
    transport: 'stdio',
    providers: exai.providers,
    defaultModel: config.defaultModel,
    limits: { promptMaxChars: config.promptMaxChars, maxFileBytes: config.maxFileBytes, toolTimeoutMs: config.timeouts.toolMs, allowedRoots: config.allowedRoots },
    tools: config.tools,
    session: 'stdio',
  });
  for (const warning of selectTools(toolCatalogue, config.tools).warnings) logger.warn({ setting: 'tools' }, warning);
  exai.opening.then(
    (storage) => logger.info({ storage: storage.status() }, 'storage ready'),
    (error: unknown) => logger.error({ err: error, storage: config.storage.kind }, 'storage could not be opened: conversation threads are unavailable'),
  );
  const transport = new StdioServerTransport();
  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'exai-stdio stopping');
    // The client is gone: never linger as an orphan. Accepted writes are already in the fsync'd
    // journal, so a storage close that hangs loses nothing; the next start replays it.
    setTimeout(() => {
      logger.warn({ reason }, 'storage did not close within 15 s: exiting anyway (the journal keeps pending writes)');
      process.exit(0);
    }, 15_000).unref();
    await server.close().catch(() => undefined);
    // Flushes the storage journal and closes the database, so nothing accepted is lost.
    await exai.storage.close().catch((error: unknown) => logger.error({ err: error }, 'storage did not close cleanly'));
    process.exit(0);
  };
  transport.onclose = () => void shutdown('stdin closed');
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await server.connect(transport);
  logger.info({ version, envFile: config.envFile, providers: exai.providers }, 'exai-stdio ready');
  // Writes what this start compiled to Node's compile cache (bin/exai-stdio.js enables it) once the
  // client is served, so the next start reads it even if this process is killed rather than closed.
  setTimeout(() => module.flushCompileCache?.(), 2_000).unref();
}

main().catch((error: unknown) => {
  process.stderr.write(`exai-stdio: fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
