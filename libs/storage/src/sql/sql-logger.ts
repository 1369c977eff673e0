/**
 * Where the SQL adapters log (migrations applied, a dropped idle connection, bytes left behind).
 * pino's `Logger` and @exai/storage's `StorageLogger` both satisfy it.
 */
export interface SqlLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}
