import pino, { type Logger } from 'pino';

/**
 * Logs JSON to stderr (never stdout: in exai-stdio it belongs to MCP) and, when `file` is set, also
 * to that file. Writes are synchronous to stderr so a crash never loses its last lines. API keys and
 * authorization headers are redacted.
 */
export function createLogger(options: { level: string; file?: string; app?: string }): Logger {
  const streams: pino.StreamEntry[] = [{ level: options.level as pino.Level, stream: pino.destination({ fd: 2, sync: true }) }];
  if (options.file) streams.push({ level: options.level as pino.Level, stream: pino.destination({ dest: options.file, mkdir: true, sync: false }) });
  return pino(
    { level: options.level, base: { app: options.app ?? 'exai' }, redact: { paths: ['*.apiKey', '*.authorization', 'headers.authorization', '*.headers.authorization', 'token', '*.token'], censor: '[redacted]' } },
    pino.multistream(streams),
  );
}
