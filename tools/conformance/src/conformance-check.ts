import { z } from 'zod';

/** One check of a scenario, as the conformance CLI writes it to `checks.json` (fields we read). */
export const conformanceCheckSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  status: z.enum(['SUCCESS', 'FAILURE', 'WARNING', 'INFO', 'SKIPPED']).or(z.string()),
  errorMessage: z.string().nullish(),
});

/** A check of a scenario's `checks.json`. */
export type ConformanceCheck = z.output<typeof conformanceCheckSchema>;

/** The checks one scenario produced (none when the CLI could not run it). */
export interface ScenarioRun {
  scenario: string;
  checks: ConformanceCheck[];
}
