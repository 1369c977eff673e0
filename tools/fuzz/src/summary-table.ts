import type { CategoryTally } from './category-tally.js';

/** The run's summary as a Markdown table: category, cases, passed, failed, first failures. */
export function summaryTable(tallies: readonly CategoryTally[]): string {
  const lines = ['| category | cases | passed | failed | first failures |', '|---|---:|---:|---:|---|'];
  for (const tally of tallies) {
    const examples = tally.examples.map((example) => example.replace(/\|/g, '\\|')).join(' · ') || '—';
    lines.push(`| ${tally.name} | ${tally.cases} | ${tally.passed} | ${tally.failed} | ${examples} |`);
  }
  const cases = tallies.reduce((sum, tally) => sum + tally.cases, 0);
  const failed = tallies.reduce((sum, tally) => sum + tally.failed, 0);
  lines.push(`| **total** | ${cases} | ${cases - failed} | ${failed} | |`);
  return lines.join('\n');
}

/** What was seen per category (answer kinds and counts), one line each. */
export function notesText(tallies: readonly CategoryTally[]): string {
  const lines: string[] = [];
  for (const tally of tallies) {
    if (tally.notes.size === 0) continue;
    const notes = [...tally.notes.entries()].sort((a, b) => b[1] - a[1]).map(([note, count]) => `${note}: ${count}`);
    lines.push(`- ${tally.name}: ${notes.join('; ')}`);
  }
  return lines.join('\n');
}
