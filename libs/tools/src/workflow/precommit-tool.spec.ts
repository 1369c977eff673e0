import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ExpertRouter } from './test-support/expert-router.js';
import { errorOf, outputOf, workflowClient, workflowServerOptions, workspace } from './test-support/workflow-harness.js';

type Workspace = Awaited<ReturnType<typeof workspace>>;

/** A repository with a commit on main, then: a.ts and .env staged, b.ts changed but not staged, c.ts untracked. */
async function makeRepository(root: string): Promise<{ path: string; git: (...args: string[]) => string; write: (name: string, text: string) => Promise<void> }> {
  const path = join(root, 'repo');
  await mkdir(path);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: path, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_SYSTEM: '/dev/null' } });
  const write = (name: string, text: string) => writeFile(join(path, name), text);
  git('init', '--quiet', '--initial-branch=main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'Test');
  git('config', 'commit.gpgsign', 'false');
  await write('a.ts', 'export const a = 1;\n');
  await write('b.ts', 'export const b = 1;\n');
  await write('.env', 'API_KEY=old\n');
  git('add', '.');
  git('commit', '--quiet', '-m', 'base');
  await write('a.ts', 'export const a = 2; // INDEX-CHANGE\n');
  await write('.env', 'API_KEY=SECRET-VALUE\n');
  git('add', 'a.ts', '.env');
  await write('b.ts', 'export const b = 2; // WORKTREE-CHANGE\n');
  await write('c.ts', 'export const c = 1;\n');
  return { path, git, write };
}

describe('precommit runs git itself', () => {
  let ws: Workspace;
  let repo: Awaited<ReturnType<typeof makeRepository>>;
  beforeEach(async () => {
    ws = await workspace();
    repo = await makeRepository(ws.root);
  });
  afterEach(() => ws.remove());

  const first = (extra: Record<string, unknown> = {}) => ({
    step: 'Validate the changes before committing',
    step_number: 1,
    total_steps: 2,
    next_step_required: true,
    findings: 'Two files changed',
    path: repo.path,
    ...extra,
  });
  const last = (id: string, extra: Record<string, unknown> = {}) => ({
    step: 'Conclude',
    step_number: 2,
    total_steps: 2,
    next_step_required: false,
    findings: 'The constants changed as intended',
    continuation_id: id,
    ...extra,
  });

  it('lists staged, unstaged and untracked files at each step and sends both diffs to the expert, never a secret', async () => {
    const options = workflowServerOptions(ws.root);
    const { step, close } = await workflowClient('precommit', options);
    const paused = outputOf(await step(first()));
    const done = outputOf(await step(last(paused.continuation_id)));
    await close();

    expect(paused.status).toBe('pause_for_validation');
    expect(paused['git_changes']).toEqual({
      repository: repo.path,
      branch: 'main',
      staged_files: ['M .env', 'M a.ts'],
      unstaged_files: ['M b.ts'],
      untracked_files: ['c.ts'],
      secret_files_not_sent: ['.env'],
    });
    expect(done.status).toBe('calling_expert_analysis');
    expect(done['git_changes']).toMatchObject({ staged_files: ['M .env', 'M a.ts'], unstaged_files: ['M b.ts'], secret_files_not_sent: ['.env'] });
    expect(done['issues_by_severity']).toEqual({ critical: 0, high: 0, medium: 0, low: 0 });
    const prompt = ExpertRouter.promptOf(options.router.calls[0]!.call.request);
    expect(prompt.user).toMatch(/### staged changes\ndiff --git a\/a\.ts b\/a\.ts[\s\S]*\+export const a = 2; \/\/ INDEX-CHANGE/);
    expect(prompt.user).toMatch(/### unstaged changes\ndiff --git a\/b\.ts b\/b\.ts[\s\S]*WORKTREE-CHANGE/);
    expect(prompt.user).toContain('Changed files holding secrets, not shown: .env');
    expect(prompt.user).not.toContain('SECRET-VALUE');
    expect(prompt.system).toContain('## Verdict');
  });

  it.each([
    ['staged only', { include_unstaged: false }, 'INDEX-CHANGE', 'WORKTREE-CHANGE'],
    ['unstaged only', { include_staged: false }, 'WORKTREE-CHANGE', 'INDEX-CHANGE'],
  ])('%s', async (_name, flags, present, absent) => {
    const options = workflowServerOptions(ws.root);
    const { step, close } = await workflowClient('precommit', options);
    const id = outputOf(await step(first(flags))).continuation_id;
    const done = outputOf(await step(last(id)));
    await close();
    const changes = done['git_changes'] as Record<string, unknown>;
    expect(Object.keys(changes).filter((key) => key.endsWith('_files') && key !== 'untracked_files' && key !== 'secret_files_not_sent')).toEqual([
      'include_unstaged' in flags ? 'staged_files' : 'unstaged_files',
    ]);
    const prompt = ExpertRouter.promptOf(options.router.calls[0]!.call.request).user;
    expect(prompt).toContain(present);
    expect(prompt).not.toContain(absent);
  });

  it('compares the working tree with compare_to, committed changes included', async () => {
    repo.git('checkout', '--quiet', '-b', 'feature');
    await repo.write('d.ts', 'export const d = "COMMITTED-ON-FEATURE";\n');
    repo.git('add', 'd.ts');
    repo.git('commit', '--quiet', '-m', 'feature work');
    const options = workflowServerOptions(ws.root);
    const { step, close } = await workflowClient('precommit', options);
    const id = outputOf(await step(first({ compare_to: 'main' }))).continuation_id;
    const done = outputOf(await step(last(id)));
    await close();
    expect(done['git_changes']).toMatchObject({ branch: 'feature', compared_to: 'main', changed_files: ['M .env', 'M a.ts', 'M b.ts', 'A d.ts'] });
    const prompt = ExpertRouter.promptOf(options.router.calls[0]!.call.request).user;
    expect(prompt).toContain('### working tree compared with main');
    expect(prompt).toContain('+export const d = "COMMITTED-ON-FEATURE";');
    expect(prompt).toContain('WORKTREE-CHANGE');
  });

  it('keeps the diff within the size budget, whole files only, naming what was left out', async () => {
    await repo.write('b.ts', `export const b = 2; // WORKTREE-CHANGE\n${'// filler line\n'.repeat(40)}`);
    const options = workflowServerOptions(ws.root, { limits: { maxFileBytes: 400 } });
    const { step, close } = await workflowClient('precommit', options);
    const id = outputOf(await step(first())).continuation_id;
    const done = outputOf(await step(last(id)));
    await close();
    const changes = done['git_changes'] as { diff_chars: number; omitted_files: string[] };
    expect(changes.diff_chars).toBeGreaterThan(0);
    expect(changes.diff_chars).toBeLessThanOrEqual(400);
    expect(changes.omitted_files).toEqual(['b.ts']);
    const prompt = ExpertRouter.promptOf(options.router.calls[0]!.call.request).user;
    expect(prompt).toContain('INDEX-CHANGE');
    expect(prompt).not.toContain('filler line');
    expect(prompt).toContain('Diffs left out for size (ask for them if they matter): b.ts');
  });

  it('reviews a saved diff file when the path is no git repository', async () => {
    const plain = join(ws.root, 'plain');
    await mkdir(plain);
    const diff = await ws.file('changes.diff', 'diff --git a/x.ts b/x.ts\n+DIFF-FILE-LINE\n');
    const options = workflowServerOptions(ws.root);
    const { step, close } = await workflowClient('precommit', options);
    const refused = errorOf(await step(first({ path: plain })));
    const paused = outputOf(await step(first({ path: plain, relevant_files: [diff] })));
    const done = outputOf(await step(last(paused.continuation_id)));
    await close();
    expect(refused).toMatch(/git cannot read changes there[\s\S]*save the diff to a \.diff file and list it in relevant_files/);
    expect(paused['git_changes']).toMatchObject({ reviewed_instead: [diff] });
    expect(done.status).toBe('calling_expert_analysis');
    const prompt = ExpertRouter.promptOf(options.router.calls[0]!.call.request).user;
    expect(prompt).toContain('+DIFF-FILE-LINE');
    expect(prompt).toContain('No git diff is included');
  });

  it('rejects a missing, relative or disallowed path, a bad ref and an empty selection', async () => {
    const options = workflowServerOptions(ws.root);
    const { step, close } = await workflowClient('precommit', options);
    const { path: _path, ...withoutPath } = first();
    const messages = [
      errorOf(await step(withoutPath)),
      errorOf(await step(first({ path: 'repo' }))),
      errorOf(await step(first({ path: '/etc' }))),
      errorOf(await step(first({ compare_to: '--output=/tmp/x' }))),
      errorOf(await step(first({ compare_to: 'no-such-branch' }))),
      errorOf(await step(first({ include_staged: false, include_unstaged: false }))),
    ];
    await close();
    expect(messages[0]).toMatch(/precommit step 1 needs path/);
    expect(messages[1]).toMatch(/repo: not an absolute path/);
    expect(messages[2]).toMatch(/outside the allowed folders/);
    expect(messages[3]).toMatch(/compare_to "--output=\/tmp\/x" is not a git ref/);
    expect(messages[4]).toMatch(/compare_to "no-such-branch" names no commit/);
    expect(messages[5]).toMatch(/Nothing to validate/);
  });

  it('sends the diff to the expert in a single step without relevant_files, and skips it when nothing changed', async () => {
    const options = workflowServerOptions(ws.root);
    const { step, close } = await workflowClient('precommit', options);
    const single = { ...first(), total_steps: 1, next_step_required: false };
    const done = outputOf(await step(single));
    repo.git('add', '.');
    repo.git('commit', '--quiet', '-m', 'everything');
    const clean = outputOf(await step(single));
    await close();
    expect(done.status).toBe('calling_expert_analysis');
    expect(options.router.calls).toHaveLength(1);
    expect(ExpertRouter.promptOf(options.router.calls[0]!.call.request).user).toContain('INDEX-CHANGE');
    expect(clean.status).toBe('skipped_expert_analysis');
    expect(clean['skip_reason']).toMatch(/nothing for an expert to analyse/);
  });

  it('skips the expert for internal validation', async () => {
    const options = workflowServerOptions(ws.root);
    const { step, close } = await workflowClient('precommit', options);
    const id = outputOf(await step(first({ precommit_type: 'internal' }))).continuation_id;
    const done = outputOf(await step(last(id)));
    await close();
    expect(done.status).toBe('skipped_expert_analysis');
    expect(done['skip_reason']).toMatch(/precommit_type is internal/);
    expect(options.router.calls).toHaveLength(0);
  });
});
