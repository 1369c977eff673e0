import type { DaemonContext, DaemonFace } from '../daemon-context.js';
import { HealthFileWriter } from './health-file-writer.js';
import { healthSnapshot, servedToolCount } from './health-snapshot.js';

/**
 * Keeps `EXAI_HEALTH_FILE` (default `logs/ws_daemon.health.json`) current while the daemon runs:
 * rewritten every `EXAI_HEALTH_INTERVAL_MS`, at once when draining begins, and a last time on close
 * (`draining: true`). Serves no requests.
 */
export function createHealthFileFace(context: DaemonContext): DaemonFace {
  // Fixed for the process: the configured tool selection.
  const toolCount = servedToolCount(context);
  const writer = new HealthFileWriter({
    file: context.config.healthFile,
    intervalMs: context.config.healthIntervalMs,
    snapshot: () => healthSnapshot(context, toolCount),
    logger: context.logger.child({ component: 'health-file' }),
  });
  writer.start();
  return {
    name: 'health-file',
    drain() {
      // Watchers (the stdio bridge, supervisors) learn at once that this replica is going away.
      void writer.write();
    },
    async close() {
      await writer.stop();
    },
  };
}
