import { secretReason } from '../files/file-access.js';
import { ToolInputError } from '../tool-input-error.js';
import { runGit } from './run-git.js';

/** One changed file as `git diff --name-status` reports it (`M`, `A`, `D`, `R100`, …). */
export interface ChangedFile {
  status: string;
  path: string;
}

/** A set of changes: staged, unstaged, or the working tree against a ref. */
export interface ChangeSection {
  kind: 'staged' | 'unstaged' | 'compare';
  label: string;
  files: ChangedFile[];
}

/** What `precommit` learned from git. */
export interface GitChanges {
  /** The repository's top folder. */
  repository: string;
  branch: string | undefined;
  sections: ChangeSection[];
  /** Untracked files under the path (not in any diff; list them in relevant_files to review them). */
  untracked: string[];
  /** The diffs, whole files only, within the budget; empty unless asked for. */
  diff: string;
  /** Characters of diff included. */
  diffChars: number;
  /** Some file diffs did not fit the budget. */
  truncated: boolean;
  /** Files whose diff was left out for the budget. */
  omittedFiles: string[];
  /** Files whose diff was left out because they hold secrets (`.env`, keys). */
  secretFiles: string[];
}

/** What to collect. */
export interface GitChangesOptions {
  /** A folder inside the repository (already checked against the file policy); only changes under it count. */
  directory: string;
  compareTo?: string | undefined;
  includeStaged: boolean;
  includeUnstaged: boolean;
  /** Most characters of diff to include; whole files only. */
  budgetChars: number;
  /** Collect the diff text too (the final step), not just the file lists. */
  withDiff: boolean;
  signal?: AbortSignal | undefined;
}

const MAX_UNTRACKED = 200;

/**
 * Collects the changes under a folder with git itself: the staged and unstaged diffs, or the working
 * tree against `compareTo`. Diffs are cut at whole files within the budget, and secret files (by
 * the file policy's rules) never reach the model.
 */
export async function collectGitChanges(options: GitChangesOptions): Promise<GitChanges> {
  const cwd = options.directory;
  const git = (args: string[], limitChars?: number) => runGit(args, { cwd, signal: options.signal, ...(limitChars === undefined ? {} : { limitChars }) });
  const repository = (await git(['rev-parse', '--show-toplevel'])).stdout.trim();
  const branch = await git(['rev-parse', '--abbrev-ref', 'HEAD']).then(
    (output) => output.stdout.trim(),
    () => undefined,
  );
  const specs: Array<{ kind: ChangeSection['kind']; label: string; args: string[] }> = [];
  if (options.compareTo !== undefined) {
    const ref = await verifiedRef(options.compareTo, git);
    specs.push({ kind: 'compare', label: `working tree compared with ${options.compareTo}`, args: [ref] });
  } else {
    if (options.includeStaged) specs.push({ kind: 'staged', label: 'staged changes', args: ['--cached'] });
    if (options.includeUnstaged) specs.push({ kind: 'unstaged', label: 'unstaged changes', args: [] });
  }
  const changes: GitChanges = { repository, branch, sections: [], untracked: [], diff: '', diffChars: 0, truncated: false, omittedFiles: [], secretFiles: [] };
  const diffs: string[] = [];
  for (const spec of specs) {
    const files = parseNameStatus((await git(['diff', '--name-status', '-z', ...spec.args, '--', '.'])).stdout);
    changes.sections.push({ kind: spec.kind, label: spec.label, files });
    for (const file of files) if (isSecret(file.path) && !changes.secretFiles.includes(file.path)) changes.secretFiles.push(file.path);
    if (!options.withDiff || files.length === 0) continue;
    const remaining = options.budgetChars - changes.diffChars;
    // Secret files are kept out of git's output, so they cannot take up the budget either.
    const excluded = changes.secretFiles.map((path) => `:(top,literal,exclude)${path}`);
    const output = await git(['diff', '--no-color', '--no-ext-diff', '--no-textconv', ...spec.args, '--', '.', ...excluded], Math.max(0, remaining) + 1);
    const chunks = splitFileDiffs(output.stdout);
    // A cut output ends inside its last file: that file is left out whole.
    if (output.truncated) chunks.pop();
    const kept: string[] = [];
    for (const file of files) {
      const chunk = chunks.find((candidate) => chunkPath(candidate) === file.path);
      if (isSecret(file.path)) continue;
      if (chunk !== undefined && changes.diffChars + chunk.length <= options.budgetChars) {
        kept.push(chunk);
        changes.diffChars += chunk.length;
      } else if (chunk !== undefined || output.truncated) changes.omittedFiles.push(file.path);
    }
    if (kept.length > 0) diffs.push(`### ${spec.label}\n${kept.join('')}`);
  }
  changes.truncated = changes.omittedFiles.length > 0;
  changes.diff = diffs.join('\n');
  const untracked = (await git(['ls-files', '--others', '--exclude-standard', '--full-name', '-z', '--', '.'])).stdout.split('\0').filter(Boolean);
  changes.untracked = untracked.slice(0, MAX_UNTRACKED);
  return changes;
}

/** Whether the file policy treats this repository path as a secret store (`.env`, keys). */
function isSecret(path: string): boolean {
  return secretReason(`/${path}`) !== undefined;
}

/** A ref the caller named, checked to be a commit (and never read as an option). */
async function verifiedRef(ref: string, git: (args: string[]) => Promise<{ stdout: string }>): Promise<string> {
  if (ref.startsWith('-') || /[\s\0]/.test(ref)) throw new ToolInputError('compare_to', `compare_to "${ref}" is not a git ref (a branch, tag or commit).`);
  try {
    return (await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).stdout.trim();
  } catch {
    throw new ToolInputError('compare_to', `compare_to "${ref}" names no commit in this repository; pass a branch, tag or commit (git branch -a lists them).`);
  }
}

/** `git diff --name-status -z`: status, path (and a second path for renames and copies). */
function parseNameStatus(output: string): ChangedFile[] {
  const fields = output.split('\0').filter((field) => field !== '');
  const files: ChangedFile[] = [];
  for (let index = 0; index < fields.length; ) {
    const status = fields[index++] as string;
    // Renames and copies name the old path, then the new one.
    if (status.startsWith('R') || status.startsWith('C')) index++;
    const path = fields[index++];
    if (path !== undefined) files.push({ status, path });
  }
  return files;
}

/** A diff split into one chunk per file (each starting with `diff --git`). */
function splitFileDiffs(diff: string): string[] {
  return diff.split(/^(?=diff --git )/m).filter((chunk) => chunk.startsWith('diff --git '));
}

/** The new path of a file's diff chunk, from its `+++ b/…` line (or the header for binary or mode-only changes). */
function chunkPath(chunk: string): string | undefined {
  // git ends these lines with a tab when the name holds a space.
  const plus = /^\+\+\+ b\/(.*?)\t?$/m.exec(chunk);
  if (plus?.[1] !== undefined) return plus[1];
  const minus = /^--- a\/(.*?)\t?$/m.exec(chunk);
  if (minus?.[1] !== undefined && /^\+\+\+ \/dev\/null$/m.test(chunk)) return minus[1];
  const header = /^diff --git a\/.* b\/(.*)$/m.exec(chunk);
  return header?.[1];
}

/** The changes as a response field: file lists and what the diff holds, not the diff itself. */
export function gitChangesSummary(changes: GitChanges, options: { compareTo?: string | undefined }): Record<string, unknown> {
  const summary: Record<string, unknown> = { repository: changes.repository };
  if (changes.branch !== undefined) summary['branch'] = changes.branch;
  if (options.compareTo !== undefined) summary['compared_to'] = options.compareTo;
  for (const section of changes.sections) summary[`${section.kind === 'compare' ? 'changed' : section.kind}_files`] = section.files.map((file) => `${file.status} ${file.path}`);
  if (changes.untracked.length > 0) summary['untracked_files'] = changes.untracked;
  if (changes.diffChars > 0 || changes.truncated) summary['diff_chars'] = changes.diffChars;
  if (changes.truncated) summary['omitted_files'] = changes.omittedFiles;
  if (changes.secretFiles.length > 0) summary['secret_files_not_sent'] = changes.secretFiles;
  return summary;
}
