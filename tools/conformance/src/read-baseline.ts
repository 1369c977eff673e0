import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const baselineSchema = z
  .object({ server: z.array(z.string()).nullish(), client: z.array(z.string()).nullish() })
  .nullish()
  .transform((value) => value ?? {});

/**
 * The server scenarios a baseline file (`--expected-failures`, the CLI's YAML format: `server:` a
 * list of scenario names) expects to fail. Comments in the file explain each entry; they are not read.
 */
export function readBaseline(path: string): Set<string> {
  const parsed = baselineSchema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: not a conformance baseline (expected \`server:\` with a list of scenario names): ${parsed.error.message}`);
  return new Set(parsed.data.server ?? []);
}
