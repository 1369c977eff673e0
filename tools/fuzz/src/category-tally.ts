/** Most failure examples kept per category. */
const MAX_EXAMPLES = 5;

/** Cases, passes and the first failures of one category of the run. */
export class CategoryTally {
  cases = 0;
  passed = 0;
  failed = 0;
  readonly examples: string[] = [];
  /** Free-form facts for the report (kinds of answers seen, counts). */
  readonly notes = new Map<string, number>();
  /** Failures by kind (the problem's first words), to see every kind, not only the first examples. */
  readonly failureKinds = new Map<string, number>();

  constructor(readonly name: string) {}

  pass(note?: string): void {
    this.cases++;
    this.passed++;
    if (note) this.count(note);
  }

  fail(example: string): void {
    this.cases++;
    this.failed++;
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(oneLine(example));
  }

  /** Records a case: passes when `problem` is undefined. */
  check(problem: string | undefined, context: string, note?: string): void {
    if (problem === undefined) return this.pass(note);
    this.fail(`${context}: ${problem}`);
    const kind = problem.replace(/\s+/g, ' ').replace(/\d+/g, 'N').slice(0, 70);
    this.failureKinds.set(kind, (this.failureKinds.get(kind) ?? 0) + 1);
  }

  count(note: string, by = 1): void {
    this.notes.set(note, (this.notes.get(note) ?? 0) + by);
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}
