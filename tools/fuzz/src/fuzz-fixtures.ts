import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** Markers planted in files the daemon must never send upstream: found at the wire tap, they prove a leak. */
export interface PlantedMarkers {
  /** In every file outside the allowed root. */
  outside: string;
  /** In `<root>/home/.ssh/id_rsa` (the daemon's HOME is inside the root: only the secret-store rule protects it). */
  sshKey: string;
  /** In `<root>/.env`. */
  envFile: string;
  /** In the 2 MB file inside the root (over EXAI_MAX_FILE_BYTES: skipped with a note, never sent). */
  bigFile: string;
}

/** The folders and files of one run, all under one temp folder. */
export interface FuzzFixtures {
  base: string;
  /** EXAI_ALLOWED_ROOTS. */
  root: string;
  /** A folder beside the root, with the outside marker in its files. */
  outside: string;
  /** The daemon's HOME (inside the root). */
  home: string;
  /** The daemon's working directory. */
  work: string;
  dataDir: string;
  logFile: string;
  markers: PlantedMarkers;
  files: {
    /** Normal text files inside the root. */
    notes: string;
    code: string;
    image: string;
    /** A file whose name is an SQL injection string. */
    sqlNamed: string;
    big: string;
    env: string;
    sshKey: string;
    outsideSecret: string;
    outsideImage: string;
    /** Links inside the root: to the outside file, to the outside folder, and to a missing outside file. */
    linkToOutsideFile: string;
    linkToOutsideDir: string;
    danglingLink: string;
    /** A folder inside the root holding the links above' siblings (expanding it must skip them). */
    mixedDir: string;
    /** A git repository inside the root with a committed file changed, for precommit. */
    repo: string;
  };
  /** Paths of every entry under the outside folder now (to prove nothing was written there). */
  outsideListing(): string[];
  remove(): void;
}

/** A 1×1 transparent PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** Creates the run's folders: an allowed root with normal files, secrets and escaping links, and an outside folder. */
export function createFuzzFixtures(): FuzzFixtures {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'exai-fuzz-')));
  const tag = (name: string): string => `EXAI-FUZZ-${name}-${randomBytes(8).toString('hex')}`;
  const markers: PlantedMarkers = { outside: tag('OUTSIDE'), sshKey: tag('SSHKEY'), envFile: tag('ENVFILE'), bigFile: tag('BIGFILE') };
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  const home = join(root, 'home');
  const work = join(base, 'work');
  const dataDir = join(base, 'data');
  for (const folder of [root, outside, join(home, '.ssh'), work, dataDir, join(base, 'logs'), join(root, 'src'), join(root, 'mixed'), join(outside, 'nested')]) {
    mkdirSync(folder, { recursive: true });
  }
  const write = (path: string, content: string | Buffer): string => {
    writeFileSync(path, content);
    return path;
  };
  const files: FuzzFixtures['files'] = {
    notes: write(join(root, 'notes.txt'), 'Release notes\n- the parser handles empty input\n- the cache expires after an hour\n'),
    code: write(join(root, 'src', 'app.ts'), 'export function add(a: number, b: number): number {\n  return a + b;\n}\n'),
    image: write(join(root, 'pixel.png'), PNG),
    sqlNamed: write(join(root, "'; DROP TABLE conversations;--.txt"), 'a file with a hostile name\n'),
    big: write(join(root, 'big.log'), bigText(markers.bigFile, 2 * 1024 * 1024)),
    env: write(join(root, '.env'), `API_TOKEN=${markers.envFile}\n`),
    sshKey: write(join(home, '.ssh', 'id_rsa'), `-----BEGIN OPENSSH PRIVATE KEY-----\n${markers.sshKey}\n-----END OPENSSH PRIVATE KEY-----\n`),
    outsideSecret: write(join(outside, 'secret.txt'), `outside the root: ${markers.outside}\n`),
    outsideImage: write(join(outside, 'photo.png'), Buffer.concat([PNG, Buffer.from(markers.outside)])),
    linkToOutsideFile: join(root, 'mixed', 'link-to-secret.txt'),
    linkToOutsideDir: join(root, 'mixed', 'link-to-outside'),
    danglingLink: join(root, 'mixed', 'dangling.txt'),
    mixedDir: join(root, 'mixed'),
    repo: join(root, 'repo'),
  };
  write(join(outside, 'nested', 'deep.txt'), `nested outside: ${markers.outside}\n`);
  write(join(outside, '.env'), `OUTSIDE_ENV=${markers.outside}\n`);
  write(join(root, 'mixed', 'plain.txt'), 'an ordinary file beside escaping links\n');
  createRepository(files.repo);
  symlinkSync(files.outsideSecret, files.linkToOutsideFile);
  symlinkSync(outside, files.linkToOutsideDir);
  symlinkSync(join(outside, 'written-through-link.txt'), files.danglingLink);
  return {
    base,
    root,
    outside,
    home,
    work,
    dataDir,
    logFile: join(base, 'logs', 'daemon.log'),
    markers,
    files,
    outsideListing: () => listTree(outside),
    remove: () => rmSync(base, { recursive: true, force: true }),
  };
}

/** A repository with one commit and an unstaged change (precommit has something to review). */
function createRepository(folder: string): void {
  mkdirSync(folder, { recursive: true });
  const git = (...args: string[]): void => {
    execFileSync('git', ['-c', 'user.name=exai-fuzz', '-c', 'user.email=fuzz@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd: folder, stdio: 'ignore' });
  };
  git('init', '-q');
  writeFileSync(join(folder, 'calc.ts'), 'export const double = (n: number): number => n * 2;\n');
  git('add', 'calc.ts');
  git('commit', '-q', '-m', 'first');
  writeFileSync(join(folder, 'calc.ts'), 'export const double = (n: number): number => n + n;\n');
}

function bigText(marker: string, bytes: number): string {
  const line = `${marker} padding line of the big file that is over the embed limit\n`;
  return line.repeat(Math.ceil(bytes / line.length));
}

function listTree(folder: string): string[] {
  const out: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      out.push(`${relative(folder, path)}:${entry.isDirectory() ? 'dir' : statSync(path).size}`);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(folder);
  return out.sort();
}
