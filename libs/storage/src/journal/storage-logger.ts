/**
 * The structured logger storage writes to; pino's `Logger` satisfies it. Storage never writes to
 * stdout itself: in the stdio app stdout carries MCP messages.
 */
export interface StorageLogger {
  debug(object: Record<string, unknown>, message: string): void;
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}
