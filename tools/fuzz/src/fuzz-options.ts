/** How big a run is. */
export interface FuzzOptions {
  quick: boolean;
  /** Generated JSON-RPC messages and legacy frames, over all faces (category 1). */
  generated: number;
  /** How many of the SQL injection corpus to try per text field (category 5): all, or a quick subset. */
  sqlStrings: 'all' | 'quick';
  /** Messages between two liveness checks. */
  batch: number;
  /** fast-check seed: the same seed generates the same messages. */
  seed: number;
  /** Time bound of one message. */
  timeoutMs: number;
  storage: 'pglite' | 'memory';
  /** Keep the temp folder (logs, data) after the run. */
  keep: boolean;
}

export const fuzzUsage = `usage: npm run fuzz -- [--quick] [--cases N] [--seed N] [--storage pglite|memory] [--keep]
  --quick      CI size: 1,500 generated messages, 3 SQL strings per field, memory storage (under ~90 s)
  --cases N    generated messages over all faces (default 10,000; quick 1,500)
  --seed N     fast-check seed (default: random, printed)
  --storage S  pglite (default) or memory (default with --quick)
  --keep       keep the temp folder with the daemon's log and data
`;

/** Reads the command line (and FUZZ_QUICK=1, FUZZ_SEED, FUZZ_CASES). */
export function parseFuzzOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): FuzzOptions {
  const has = (flag: string): boolean => argv.includes(flag);
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const quick = has('--quick') || env['FUZZ_QUICK'] === '1';
  const number = (text: string | undefined, name: string): number | undefined => {
    if (text === undefined) return undefined;
    const parsed = Number(text);
    if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a whole number, got "${text}"`);
    return parsed;
  };
  const storage = value('--storage') ?? (quick ? 'memory' : 'pglite');
  if (storage !== 'pglite' && storage !== 'memory') throw new Error(`--storage must be pglite or memory, got "${storage}"`);
  const generated = number(value('--cases') ?? env['FUZZ_CASES'], '--cases') ?? (quick ? 1_500 : 10_000);
  return {
    quick,
    generated,
    sqlStrings: quick ? 'quick' : 'all',
    batch: quick ? 500 : 1_000,
    seed: number(value('--seed') ?? env['FUZZ_SEED'], '--seed') ?? Math.floor(Math.random() * 2 ** 31),
    timeoutMs: 30_000,
    storage,
    keep: has('--keep'),
  };
}
