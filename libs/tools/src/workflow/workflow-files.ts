import { isAbsolute } from 'node:path';
import { embedFilesWithinBudget, skipNote } from '../files/embed-files.js';
import { fileAccessPolicyOf, resolveAllowedPath } from '../files/file-access.js';
import type { ToolDependencies } from '../tool-definition.js';
import { ToolInputError } from '../tool-input-error.js';

/** Files embedded for the expert, and those left out ("path: reason"). */
export interface EmbeddedWorkflowFiles {
  /** File blocks, then a note listing the files left out. */
  text: string;
  embedded: string[];
  skipped: string[];
}

/** Rejects relative paths up front, naming the field and every offending path (`data:` URLs pass). */
export function requireAbsolutePaths(field: string, paths: readonly string[] | undefined): void {
  const relative = (paths ?? []).filter((path) => !path.startsWith('data:') && !isAbsolute(path));
  if (relative.length > 0) {
    throw new ToolInputError(field, `${field} must hold absolute paths; relative: ${relative.join(', ')} (for example ${process.cwd()}/${relative[0]})`);
  }
}

/**
 * Checks the paths a step names against the file policy (they exist, are inside the allowed folders,
 * are no secrets), so a bad path fails the step that names it, every bad path at once. `data:` URLs
 * (images) pass.
 */
export async function checkAllowedPaths(deps: ToolDependencies, field: string, paths: readonly string[] | undefined): Promise<void> {
  if (!paths?.length) return;
  const policy = fileAccessPolicyOf(deps);
  const problems: string[] = [];
  for (const path of paths) {
    if (path.startsWith('data:')) continue;
    await resolveAllowedPath(path, policy, { field }).catch((error: unknown) => {
      if (!(error instanceof ToolInputError)) throw error;
      problems.push(error.message);
    });
  }
  if (problems.length > 0) throw new ToolInputError(field, `Cannot use ${problems.length === 1 ? 'a path' : `${problems.length} paths`} in ${field}:\n- ${problems.join('\n- ')}`);
}

/**
 * Embeds the relevant files in full, line-numbered, within `budgetChars` (folders expanded). A file
 * that has gone or became unreadable since the step that named it is listed as skipped, not fatal:
 * the final step must not fail over one file.
 */
export async function embedRelevantFiles(deps: ToolDependencies, paths: readonly string[], options: { budgetChars: number; signal: AbortSignal | undefined }): Promise<EmbeddedWorkflowFiles> {
  const policy = fileAccessPolicyOf(deps);
  const usable: string[] = [];
  const gone: Array<{ path: string; reason: string }> = [];
  for (const path of paths) {
    try {
      await resolveAllowedPath(path, policy, { field: 'relevant_files' });
      usable.push(path);
    } catch (error) {
      if (!(error instanceof ToolInputError)) throw error;
      gone.push({ path, reason: error.message.startsWith(`${path}: `) ? error.message.slice(path.length + 2) : error.message });
    }
  }
  const files = await embedFilesWithinBudget(usable, {
    policy,
    maxFileBytes: deps.limits.maxFileBytes,
    budgetChars: options.budgetChars,
    field: 'relevant_files',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = gone.length > 0 ? [files.text, skipNote(gone)].filter(Boolean).join('\n\n') : files.text;
  return { text, embedded: files.embedded, skipped: [...files.skipped, ...gone].map((skip) => `${skip.path}: ${skip.reason}`) };
}

/** A folder the tools may read, as its real path (precommit's repository). */
export function resolveReadableDirectory(deps: ToolDependencies, field: string, path: string): Promise<string> {
  return resolveAllowedPath(path, fileAccessPolicyOf(deps), { field, kind: 'directory' });
}
