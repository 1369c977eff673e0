#!/usr/bin/env node
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createExaiMcpServer, selectTools, toolCatalogue } from '@exai/tools';
import { composeExai } from './compose-exai.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './create-logger.js';
import { version } from './version.js';

/** exai over stdio: one person, one MCP client. stdout carries MCP messages only; logs go to stderr. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`exai-stdio: ${(error as Error).message}\n`);
    process.exit(error instanceof ConfigError ? 78 : 1);
  }
  const logger = createLogger({ level: config.logLevel, file: config.logFile });
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
}

main().catch((error: unknown) => {
  process.stderr.write(`exai-stdio: fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
