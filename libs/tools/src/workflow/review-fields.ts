import { z } from 'zod';
import { issueSeverities } from './workflow-step-schema.js';

/** `severity_filter` of the reviewing tools: the lowest severity to report. */
export const severityFilterShape = z.enum([...issueSeverities, 'all']).optional();

/** `issues_by_severity`: how many issues of each severity, every severity present. */
export function severityCounts(issues: ReadonlyArray<{ severity: string }>): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(issueSeverities.map((severity) => [severity, 0]));
  for (const issue of issues) counts[issue.severity] = (counts[issue.severity] ?? 0) + 1;
  return counts;
}

/** The context line of a severity filter, or nothing for `all`. */
export function severityFilterLine(filter: unknown): string | undefined {
  return typeof filter === 'string' && filter !== 'all' ? `Report only issues of severity ${filter} or higher.` : undefined;
}
