/** Every section `npm run bench` knows, in the order a full run runs them. */
export const SECTIONS = ['provider', 'router', 'storage', 'daemon', 'gateways', 'stdio', 'startup', 'tools-list'] as const;

/** One section of the benchmark. */
export type Section = (typeof SECTIONS)[number];

/** How this run was asked for. */
export interface BenchSettings {
  /** Small samples, for CI: reports every target, fails only when something does not work. */
  quick: boolean;
  sections: Section[];
}

/**
 * `--quick` (or `BENCH_QUICK=1`) and `BENCH_ONLY=<section>[,<section>…]` (or `--only=<sections>`).
 * Unknown section names are an error, so a typo does not silently run nothing.
 */
export function benchSettings(argv: readonly string[], env: NodeJS.ProcessEnv): BenchSettings {
  const quick = argv.includes('--quick') || env['BENCH_QUICK'] === '1' || env['BENCH_QUICK'] === 'true';
  const only = argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length) ?? env['BENCH_ONLY'];
  if (only === undefined || only.trim() === '') return { quick, sections: [...SECTIONS] };
  const names = only.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown section ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}`);
  return { quick, sections: SECTIONS.filter((section) => names.includes(section)) };
}

/** A number from the environment, or the quick or full default. */
export function sized(env: NodeJS.ProcessEnv, name: string, quick: boolean, sizes: { quick: number; full: number }): number {
  const value = env[name];
  return value === undefined || value === '' ? (quick ? sizes.quick : sizes.full) : Number(value);
}

/** A comma-separated list of numbers from the environment, or the quick or full default. */
export function sizedList(env: NodeJS.ProcessEnv, name: string, quick: boolean, sizes: { quick: number[]; full: number[] }): number[] {
  const value = env[name];
  return value === undefined || value === '' ? (quick ? sizes.quick : sizes.full) : value.split(',').map(Number);
}
