import pino, { type Logger } from 'pino';
import { redactLogFields } from './redact-log-fields.js';

/**
 * Logs JSON to stderr (never stdout: in exai-stdio it belongs to MCP) and, when `file` is set, also
 * to that file. Writes are synchronous to stderr so a crash never loses its last lines. API keys,
 * tokens and authorization headers in logged objects are redacted ({@link redactLogFields}); a child
 * logger's bindings are written as given (exai's name a component, a session or a connection).
 */
export function createLogger(options: { level: string; file?: string; app?: string }): Logger {
  const streams: pino.StreamEntry[] = [{ level: options.level as pino.Level, stream: pino.destination({ fd: 2, sync: true }) }];
  if (options.file) streams.push({ level: options.level as pino.Level, stream: pino.destination({ dest: options.file, mkdir: true, sync: false }) });
  return pino(loggerOptions(options), pino.multistream(streams));
}

/** The pino options of {@link createLogger}: level, the `app` field, redaction. */
export function loggerOptions(options: { level: string; app?: string }): pino.LoggerOptions {
  return { level: options.level, base: { app: options.app ?? 'exai' }, formatters: { log: redactLogFields } };
}
