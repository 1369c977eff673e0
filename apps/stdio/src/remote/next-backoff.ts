/**
 * The delay before reconnect attempt `attempt` (from 0): exponential from `initialMs`, capped at
 * `maxMs`, with full jitter in its upper half so many bridges restarting together do not reconnect
 * in lockstep.
 */
export function nextBackoffMs(attempt: number, options: { initialMs: number; maxMs: number }, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
