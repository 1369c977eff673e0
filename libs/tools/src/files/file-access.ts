import { realpathSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ToolLimits } from '../tool-definition.js';
import { ToolInputError } from '../tool-input-error.js';

/**
 * Which files tools may read and write: real (symlink-resolved) absolute folders, minus secret stores.
 * Build one with {@link createFileAccessPolicy} or {@link fileAccessPolicyOf}.
 */
export interface FileAccessPolicy {
  /** The allowed folders, absolute and symlink-resolved. */
  readonly roots: readonly string[];
}

/** How {@link resolveAllowedPath} checks a path. */
export interface ResolvePathOptions {
  /** The path must exist (default true, false when `forWrite`). */
  mustExist?: boolean;
  /** What the path must be when it exists (default `any`). */
  kind?: 'file' | 'directory' | 'any';
  /** The path will be written: it may be missing, its nearest existing folder is what gets resolved. */
  forWrite?: boolean;
  /** The tool argument the path came from, named in errors (default `path`). */
  field?: string;
}

/** How {@link expandPaths} walks folders. */
export interface ExpandPathsOptions {
  /** Most files returned (default {@link DEFAULT_MAX_EXPANDED_FILES}); the rest are reported through `onSkip`. */
  maxFiles?: number;
  /** The tool argument the paths came from, named in errors (default `files`). */
  field?: string;
  signal?: AbortSignal;
  /** Told about each file or folder left out of an expansion and why (secret, outside the roots, over `maxFiles`). */
  onSkip?: (path: string, reason: string) => void;
}

/** Default most files one {@link expandPaths} call returns. */
export const DEFAULT_MAX_EXPANDED_FILES = 1000;

/** Folders never descended into: version control, dependencies, build output, caches. */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set(['.git', 'node_modules', 'dist', 'build', 'out', 'target', '.next', '.venv', '__pycache__', 'coverage']);

/** Folders holding credentials, wherever they appear in a path. */
const SECRET_DIRECTORIES = new Set(['.ssh', '.aws', '.gnupg', '.kube', '.password-store']);
/** Credential files by exact name. */
const SECRET_FILES = new Set(['.netrc', '.npmrc', '.pypirc', '.git-credentials', '.pgpass']);
/** Private keys and certificates by name: `id_rsa`, `id_ed25519.pub`, `server.pem`, `tls.key`, `cert.p12`. */
const SECRET_FILE_PATTERN = /^id_(rsa|dsa|ecdsa|ed25519)|\.(pem|key|p12|pfx)$/i;
/** `.env` files carry keys; their documented templates do not. */
const ENV_TEMPLATES = new Set(['.env.example', '.env.sample']);

/**
 * A policy over `allowedRoots` (`EXAI_ALLOWED_ROOTS`): each root made absolute and symlink-resolved, so
 * containment is checked between real paths. No roots means the documented default, the home folder
 * and the working directory. A relative root is refused: it would depend on the process's directory.
 */
export function createFileAccessPolicy(allowedRoots: readonly string[]): FileAccessPolicy {
  const roots = allowedRoots.length > 0 ? allowedRoots : [homedir(), process.cwd()];
  const resolved = roots.map((root) => {
    if (!isAbsolute(root)) throw new ToolInputError('EXAI_ALLOWED_ROOTS', `${root}: allowed folders must be absolute paths`);
    try {
      return realpathSync(root);
    } catch {
      return resolve(root);
    }
  });
  return { roots: [...new Set(resolved)] };
}

let fallbackPolicy: FileAccessPolicy | undefined;
/** The documented default (home and working directory, as at first use), for callers that pass no policy. */
export function defaultFileAccessPolicy(): FileAccessPolicy {
  fallbackPolicy ??= createFileAccessPolicy([]);
  return fallbackPolicy;
}

const policies = new WeakMap<object, FileAccessPolicy>();

/** The policy of a tool host's limits, built once per limits object. */
export function fileAccessPolicyOf(deps: { limits: Pick<ToolLimits, 'allowedRoots'> }): FileAccessPolicy {
  let policy = policies.get(deps.limits);
  if (!policy) {
    policy = createFileAccessPolicy(deps.limits.allowedRoots);
    policies.set(deps.limits, policy);
  }
  return policy;
}

/**
 * Checks a path a caller gave and returns its real path. It must be absolute; symlinks are resolved
 * *before* containment is checked, so a link inside an allowed folder cannot reach outside it; secret
 * stores (`~/.ssh`, `.env`, private keys, …) are refused under every root, by the given and the real name.
 * Throws a {@link ToolInputError} naming `options.field` and the path, with what to do.
 */
export async function resolveAllowedPath(path: string, policy: FileAccessPolicy, options: ResolvePathOptions = {}): Promise<string> {
  const field = options.field ?? 'path';
  if (!isAbsolute(path)) {
    throw new ToolInputError(field, `${path}: not an absolute path; pass the full path (for example ${join(process.cwd(), path)})`);
  }
  const requested = resolve(path);
  const secret = secretReason(requested);
  if (secret) throw new ToolInputError(field, `${path}: ${secret}`);
  const real = await realTarget(requested, path, field, options);
  if (!policy.roots.some((root) => isInside(root, real))) {
    const via = real === requested ? '' : ` (it resolves to ${real})`;
    throw new ToolInputError(field, `${path}: outside the allowed folders${via}; allowed: ${policy.roots.join(', ')} (EXAI_ALLOWED_ROOTS)`);
  }
  const realSecret = real === requested ? undefined : secretReason(real);
  if (realSecret) throw new ToolInputError(field, `${path}: resolves to ${real}: ${realSecret}`);
  const kind = options.kind ?? 'any';
  if (kind !== 'any') {
    const info = await stat(real).catch(() => undefined);
    if (info && kind === 'file' && !info.isFile()) throw new ToolInputError(field, `${path}: not a regular file`);
    if (info && kind === 'directory' && !info.isDirectory()) throw new ToolInputError(field, `${path}: not a directory`);
  }
  return real;
}

/**
 * Resolves paths through the policy and expands directories into their files, recursively, skipping
 * {@link SKIPPED_DIRECTORIES}, secret files and links leading out of the allowed folders. Returns real
 * paths, each once, in a deterministic order: the arguments' order, each directory's entries sorted by
 * name. Every bad argument (relative, missing, outside, secret) is reported in one {@link ToolInputError}.
 */
export async function expandPaths(paths: readonly string[], policy: FileAccessPolicy, options: ExpandPathsOptions = {}): Promise<string[]> {
  const field = options.field ?? 'files';
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_EXPANDED_FILES;
  const walk: Walk = { policy, maxFiles, files: [], seen: new Set(), visited: new Set(), full: false, options };
  const problems: string[] = [];
  for (const path of paths) {
    options.signal?.throwIfAborted();
    let real: string;
    try {
      real = await resolveAllowedPath(path, policy, { field });
    } catch (error) {
      if (!(error instanceof ToolInputError)) throw error;
      problems.push(error.message);
      continue;
    }
    const info = await stat(real);
    if (info.isDirectory()) await walkDirectory(real, walk);
    else addFile(real, walk);
  }
  if (problems.length > 0) {
    throw new ToolInputError(field, `Cannot use ${problems.length === 1 ? 'a path' : `${problems.length} paths`}:\n- ${problems.join('\n- ')}`);
  }
  return walk.files;
}

interface Walk {
  policy: FileAccessPolicy;
  maxFiles: number;
  files: string[];
  seen: Set<string>;
  /** Real directories already walked (links can form cycles). */
  visited: Set<string>;
  full: boolean;
  options: ExpandPathsOptions;
}

function addFile(real: string, walk: Walk): void {
  if (walk.seen.has(real)) return;
  if (walk.files.length >= walk.maxFiles) {
    if (!walk.full) walk.options.onSkip?.(real, `more than ${walk.maxFiles} files; this and later files were left out`);
    walk.full = true;
    return;
  }
  walk.seen.add(real);
  walk.files.push(real);
}

async function walkDirectory(directory: string, walk: Walk): Promise<void> {
  if (walk.visited.has(directory) || walk.full) return;
  walk.visited.add(directory);
  walk.options.signal?.throwIfAborted();
  const entries = await readdir(directory, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    walk.options.onSkip?.(directory, `cannot be listed (${error.code ?? error.message})`);
    return [];
  });
  // Code-unit order, not locale order: the same tree gives the same list on every machine.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (walk.full) return;
    const path = join(directory, entry.name);
    if (entry.isDirectory() && SKIPPED_DIRECTORIES.has(entry.name)) continue;
    const secret = secretReason(path);
    if (secret) {
      walk.options.onSkip?.(path, secret);
      continue;
    }
    if (entry.isDirectory()) await walkDirectory(path, walk);
    else if (entry.isFile()) addFile(path, walk);
    else if (entry.isSymbolicLink()) await followLink(path, walk);
  }
}

/** A link met while walking: followed only when its target is inside the roots and not a secret. */
async function followLink(path: string, walk: Walk): Promise<void> {
  let real: string;
  try {
    real = await resolveAllowedPath(path, walk.policy);
  } catch (error) {
    walk.options.onSkip?.(path, error instanceof ToolInputError ? error.message.slice(path.length + 2) : 'broken link');
    return;
  }
  const info = await stat(real).catch(() => undefined);
  if (info?.isDirectory()) {
    if (!SKIPPED_DIRECTORIES.has(basename(real))) await walkDirectory(real, walk);
  } else if (info?.isFile()) {
    addFile(real, walk);
  }
}

/** Why a path is a secret store, or undefined. Checks every segment, so files inside `.ssh/` are caught too. */
export function secretReason(path: string): string | undefined {
  const segments = path.split(sep).filter(Boolean);
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index] as string;
    const next = segments[index + 1];
    if (SECRET_DIRECTORIES.has(segment)) return `inside ${segment}, a secret store; exai never reads or writes credentials`;
    if (segment === '.config' && next === 'gcloud') return 'inside .config/gcloud, a secret store; exai never reads or writes credentials';
    if (segment === '.docker' && next === 'config.json') return '.docker/config.json holds registry credentials; exai never reads or writes credentials';
  }
  const name = segments.at(-1) ?? '';
  if (SECRET_FILES.has(name) || SECRET_FILE_PATTERN.test(name)) return `${name} holds credentials or a private key; exai never reads or writes credentials`;
  if ((name === '.env' || name.startsWith('.env.')) && !ENV_TEMPLATES.has(name)) {
    return `${name} holds environment secrets; pass .env.example instead, or copy what matters into the prompt`;
  }
  return undefined;
}

/** The real path of `path`; for a path to be written, the real path of its nearest existing folder plus the rest. */
async function realTarget(path: string, given: string, field: string, options: ResolvePathOptions): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    const mustExist = options.mustExist ?? !options.forWrite;
    if (mustExist) throw new ToolInputError(field, `${given}: ${missingReason(error)}`);
  }
  const missing: string[] = [basename(path)];
  let folder = dirname(path);
  for (;;) {
    try {
      return join(await realpath(folder), ...missing);
    } catch {
      const parent = dirname(folder);
      if (parent === folder) throw new ToolInputError(field, `${given}: no such folder`);
      missing.unshift(basename(folder));
      folder = parent;
    }
  }
}

function missingReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'no such file';
  if (code === 'ELOOP') return 'a symlink loop';
  if (code === 'EACCES') return 'cannot be read (EACCES)';
  return `cannot be resolved (${code ?? (error as Error).message})`;
}

/** Whether `target` is `root` or inside it (both real, absolute). */
function isInside(root: string, target: string): boolean {
  const rest = relative(root, target);
  return rest === '' || (rest !== '..' && !rest.startsWith(`..${sep}`) && !isAbsolute(rest));
}
