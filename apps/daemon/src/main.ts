#!/usr/bin/env node
import { ConfigError } from '@exai/host';
import { startDaemon, type Daemon } from './create-daemon.js';
import { loadDaemonConfig } from './daemon-config.js';

/** Exit code of a second signal (128 + the signal's number, as a shell reports a process it killed). */
const forcedExitCode: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * exai-daemon: the team server. Exits 78 on a bad configuration, listing every problem. SIGTERM or
 * SIGINT drains (in-flight calls finish up to `EXAI_SHUTDOWN_DEADLINE_MS`) and exits 0; a second
 * signal exits at once (130 for SIGINT, 143 for SIGTERM).
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadDaemonConfig();
  } catch (error) {
    process.stderr.write(`exai-daemon: ${(error as Error).message}\n`);
    process.exit(error instanceof ConfigError ? 78 : 1);
  }
  // Handlers first: a signal that arrives while the daemon starts still stops it gracefully.
  const state: { daemon?: Daemon; requested?: NodeJS.Signals } = {};
  const stop = (running: Daemon, signal: NodeJS.Signals): void => {
    running.stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        running.context.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (state.requested !== undefined) {
      if (state.daemon) state.daemon.context.logger.warn({ signal }, 'second signal: exiting now');
      else process.stderr.write(`exai-daemon: second signal (${signal}): exiting now\n`);
      process.exit(forcedExitCode[signal] ?? 1);
    }
    state.requested = signal;
    if (state.daemon) stop(state.daemon, signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const daemon = await startDaemon(config).catch((error: unknown) => {
    process.stderr.write(`exai-daemon: could not start: ${(error as Error).message}\n`);
    process.exit(1);
  });
  state.daemon = daemon;
  process.on('unhandledRejection', (error) => daemon.context.logger.error({ err: error }, 'unhandled rejection'));
  if (state.requested !== undefined) stop(daemon, state.requested);
}

void main();
