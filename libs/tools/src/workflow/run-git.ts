import { spawn } from 'node:child_process';
import { ExaiError } from '@exai/router/spec';

/** A git command failed (not a repository, unknown ref, …); the message carries git's own words. */
export class GitCommandError extends ExaiError {
  constructor(args: readonly string[], stderr: string) {
    super('git_failed', { message: `git ${args.join(' ')} failed: ${stderr.trim() || 'no output'}` });
    this.name = 'GitCommandError';
  }
}

/** Output of one git command, cut at `limitChars`. */
export interface GitOutput {
  stdout: string;
  /** The output went past `limitChars`; git was stopped there. */
  truncated: boolean;
}

const STDERR_LIMIT = 4096;

/**
 * Runs git without a shell, pager, prompts or external diff tools, reading at most `limitChars`
 * of its output: a huge diff stops git instead of filling memory. The signal kills it.
 */
export function runGit(args: readonly string[], options: { cwd: string; signal?: AbortSignal | undefined; limitChars?: number }): Promise<GitOutput> {
  const limit = options.limitChars ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-c', 'core.quotepath=off', '-c', 'color.ui=never', ...args], {
      cwd: options.cwd,
      env: { ...process.env, GIT_PAGER: 'cat', PAGER: 'cat', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let stdout = '';
    let stderr = '';
    let truncated = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (truncated) return;
      if (stdout.length + chunk.length > limit) {
        stdout += chunk.slice(0, limit - stdout.length);
        truncated = true;
        child.kill();
        return;
      }
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk.slice(0, STDERR_LIMIT - stderr.length);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') reject(options.signal?.reason ?? error);
      else if (error.code === 'ENOENT') reject(new GitCommandError(args, 'git is not installed or not on PATH'));
      else reject(error);
    });
    child.on('close', (code) => {
      if (options.signal?.aborted) return;
      if (code === 0 || truncated) resolve({ stdout, truncated });
      else reject(new GitCommandError(args, stderr));
    });
  });
}
