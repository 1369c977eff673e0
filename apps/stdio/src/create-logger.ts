import pino, { type Logger } from 'pino';

/**
 * Logs to stderr (stdout belongs to MCP) and, when `file` is set, also to that file.
 * Writes are synchronous to stderr so a crash never loses its last lines.
 */
export function createLogger(options: { level: string; file?: string }): Logger {
  const streams: pino.StreamEntry[] = [{ level: options.level as pino.Level, stream: pino.destination({ fd: 2, sync: true }) }];
  if (options.file) streams.push({ level: options.level as pino.Level, stream: pino.destination({ dest: options.file, mkdir: true, sync: false }) });
  return pino(
    { level: options.level, base: { app: 'exai-stdio' }, redact: { paths: ['*.apiKey', '*.authorization', 'headers.authorization'], censor: '[redacted]' } },
    pino.multistream(streams),
  );
}
