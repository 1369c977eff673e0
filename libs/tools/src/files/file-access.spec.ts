import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ToolInputError } from '../tool-input-error.js';
import { createFileAccessPolicy, expandPaths, fileAccessPolicyOf, resolveAllowedPath, secretReason } from './file-access.js';

/** A fresh allowed root, a folder outside it, and the policy over the root. */
function sandbox() {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'exai-access-')));
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  return { root, outside, policy: createFileAccessPolicy([root]) };
}

async function failure(promise: Promise<unknown>): Promise<ToolInputError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ToolInputError);
  return error as ToolInputError;
}

describe('createFileAccessPolicy', () => {
  it('resolves roots through symlinks, defaults to home and working directory, and refuses relative roots', () => {
    const { root } = sandbox();
    const link = `${root}-link`;
    symlinkSync(root, link);
    expect(createFileAccessPolicy([link]).roots).toEqual([root]);
    expect(createFileAccessPolicy([]).roots).toEqual(expect.arrayContaining([realpathSync(homedir()), realpathSync(process.cwd())]));
    expect(() => createFileAccessPolicy(['relative/root'])).toThrow('relative/root: allowed folders must be absolute');
  });

  it('builds one policy per limits object', () => {
    const limits = { allowedRoots: [tmpdir()] };
    expect(fileAccessPolicyOf({ limits })).toBe(fileAccessPolicyOf({ limits }));
  });
});

describe('resolveAllowedPath', () => {
  it('returns the real path of a file inside a root', async () => {
    const { root, policy } = sandbox();
    writeFileSync(join(root, 'a.ts'), 'x');
    expect(await resolveAllowedPath(join(root, 'sub', '..', 'a.ts'), policy)).toBe(join(root, 'a.ts'));
  });

  it('refuses a relative path, naming the field and the path', async () => {
    const { policy } = sandbox();
    const error = await failure(resolveAllowedPath('src/a.ts', policy, { field: 'files' }));
    expect(error.field).toBe('files');
    expect(error.message).toContain('src/a.ts: not an absolute path');
  });

  it('refuses a path outside the roots and names the setting', async () => {
    const { outside, policy } = sandbox();
    writeFileSync(join(outside, 'b.ts'), 'x');
    const error = await failure(resolveAllowedPath(join(outside, 'b.ts'), policy));
    expect(error.message).toContain('outside the allowed folders');
    expect(error.message).toContain('EXAI_ALLOWED_ROOTS');
    expect(error.field).toBe('path');
  });

  it('resolves symlinks before the check: a link inside a root pointing outside is refused', async () => {
    const { root, outside, policy } = sandbox();
    writeFileSync(join(outside, 'target.txt'), 'secret-ish');
    symlinkSync(join(outside, 'target.txt'), join(root, 'escape.txt'));
    symlinkSync(outside, join(root, 'escape-dir'));
    const file = await failure(resolveAllowedPath(join(root, 'escape.txt'), policy));
    expect(file.message).toContain(`it resolves to ${join(outside, 'target.txt')}`);
    await failure(resolveAllowedPath(join(root, 'escape-dir', 'target.txt'), policy));
  });

  it('refuses a link inside a root pointing to a secret store inside the root', async () => {
    const { root, policy } = sandbox();
    mkdirSync(join(root, '.ssh'));
    writeFileSync(join(root, '.ssh', 'config'), 'Host *');
    symlinkSync(join(root, '.ssh', 'config'), join(root, 'innocent.txt'));
    const error = await failure(resolveAllowedPath(join(root, 'innocent.txt'), policy));
    expect(error.message).toContain('.ssh, a secret store');
  });

  it.each([
    ['.ssh/id_ed25519'],
    ['.aws/credentials'],
    ['.gnupg/pubring.kbx'],
    ['.config/gcloud/credentials.db'],
    ['.kube/config'],
    ['.docker/config.json'],
    ['.netrc'],
    ['.npmrc'],
    ['.pypirc'],
    ['.git-credentials'],
    ['.env'],
    ['.env.production'],
    ['app/id_rsa'],
    ['certs/server.pem'],
    ['certs/tls.key'],
  ])('refuses the secret store %s under a root', async (relativePath) => {
    const { root, policy } = sandbox();
    const path = join(root, relativePath);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, 'secret');
    const error = await failure(resolveAllowedPath(path, policy));
    expect(error.message).toMatch(/credentials|secret|private key/);
  });

  it('allows .env.example and .env.sample', async () => {
    const { root, policy } = sandbox();
    for (const name of ['.env.example', '.env.sample']) {
      writeFileSync(join(root, name), 'KEY=');
      expect(await resolveAllowedPath(join(root, name), policy)).toBe(join(root, name));
    }
    expect(secretReason(join(root, '.envrc'))).toBeUndefined();
  });

  it('checks existence and kind, and resolves a path to be written through its nearest folder', async () => {
    const { root, outside, policy } = sandbox();
    mkdirSync(join(root, 'dir'));
    writeFileSync(join(root, 'file.txt'), 'x');
    expect((await failure(resolveAllowedPath(join(root, 'missing.txt'), policy))).message).toContain('missing.txt: no such file');
    expect((await failure(resolveAllowedPath(join(root, 'dir'), policy, { kind: 'file' }))).message).toContain('not a regular file');
    expect((await failure(resolveAllowedPath(join(root, 'file.txt'), policy, { kind: 'directory' }))).message).toContain('not a directory');
    expect(await resolveAllowedPath(join(root, 'new', 'deep', 'out.md'), policy, { forWrite: true })).toBe(join(root, 'new', 'deep', 'out.md'));
    symlinkSync(outside, join(root, 'out-link'));
    expect((await failure(resolveAllowedPath(join(root, 'out-link', 'x.md'), policy, { forWrite: true }))).message).toContain('outside the allowed folders');
    expect((await failure(resolveAllowedPath(join(root, '.env'), policy, { forWrite: true }))).message).toContain('.env holds environment secrets');
  });
});

describe('expandPaths', () => {
  it('expands directories recursively in name order, skipping junk folders, secrets and links out of the roots', async () => {
    const { root, outside, policy } = sandbox();
    const project = join(root, 'project');
    for (const folder of ['src/b', 'src/a', '.git', 'node_modules/x', 'dist', 'build', 'out', 'target', '.next', '.venv', '__pycache__', 'coverage', '.ssh']) {
      mkdirSync(join(project, folder), { recursive: true });
    }
    for (const file of ['src/b/z.ts', 'src/b/a.ts', 'src/a/m.ts', 'src/index.ts', 'README.md', '.env', '.env.example', 'key.pem', '.git/HEAD', 'node_modules/x/i.js', 'dist/o.js', 'build/o.js', 'out/o.js', 'target/o', '.next/o', '.venv/o', '__pycache__/o.pyc', 'coverage/o', '.ssh/id_rsa']) {
      writeFileSync(join(project, file), 'x');
    }
    writeFileSync(join(outside, 'leak.txt'), 'x');
    symlinkSync(join(outside, 'leak.txt'), join(project, 'leak.txt'));
    symlinkSync(join(project, 'src', 'a', 'm.ts'), join(project, 'alias.ts'));
    symlinkSync(project, join(project, 'src', 'loop'));
    const skipped: string[] = [];
    const files = await expandPaths([project, join(project, 'README.md')], policy, { onSkip: (path, reason) => skipped.push(`${path}: ${reason}`) });
    expect(files).toEqual([
      join(project, '.env.example'),
      join(project, 'README.md'),
      join(project, 'src/a/m.ts'),
      join(project, 'src/b/a.ts'),
      join(project, 'src/b/z.ts'),
      join(project, 'src/index.ts'),
    ]);
    expect(skipped.join('\n')).toContain(`${join(project, 'leak.txt')}: outside the allowed folders`);
    expect(skipped.join('\n')).toContain(`${join(project, '.env')}: .env holds environment secrets`);
    expect(skipped.join('\n')).toContain('key.pem');
    expect(skipped.join('\n')).toContain(join(project, '.ssh'));
  });

  it('stops at maxFiles and says so', async () => {
    const { root, policy } = sandbox();
    for (let index = 0; index < 5; index++) writeFileSync(join(root, `f${index}.txt`), 'x');
    const skipped: string[] = [];
    const files = await expandPaths([root], policy, { maxFiles: 3, onSkip: (_path, reason) => skipped.push(reason) });
    expect(files.map((file) => file.slice(root.length + 1))).toEqual(['f0.txt', 'f1.txt', 'f2.txt']);
    expect(skipped).toEqual(['more than 3 files; this and later files were left out']);
  });

  it('reports every bad argument at once, naming each', async () => {
    const { root, outside, policy } = sandbox();
    writeFileSync(join(outside, 'o.txt'), 'x');
    const error = await failure(expandPaths(['rel.txt', join(root, 'nope.txt'), join(outside, 'o.txt')], policy));
    expect(error.field).toBe('files');
    expect(error.message).toContain('Cannot use 3 paths');
    expect(error.message).toContain('rel.txt: not an absolute path');
    expect(error.message).toContain('nope.txt: no such file');
    expect(error.message).toContain('o.txt: outside the allowed folders');
  });
});
