import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageConfigError } from '../storage-errors.js';

/**
 * The folder holding exai's SQL migrations.
 *
 * The published package carries them in `<package root>/migrations` (the build copies
 * `supabase/migrations` there); otherwise the nearest `supabase/migrations` above this module is used.
 * When this module runs from TypeScript source (tests), the workspace's `supabase/migrations` wins:
 * the package copy is a build artifact and may be older than the files being edited.
 */
export function migrationsDirectory(moduleUrl: string = import.meta.url): string {
  const moduleDir = dirname(fileURLToPath(moduleUrl));
  const packaged = packagedMigrations(moduleDir);
  const workspace = workspaceMigrations(moduleDir);
  const fromSource = moduleUrl.endsWith('.ts');
  const found = fromSource ? (workspace ?? packaged) : (packaged ?? workspace);
  if (found === undefined) {
    throw new StorageConfigError({
      setting: 'migrations',
      message: `no SQL migrations found: neither <package root>/migrations nor a supabase/migrations folder above ${moduleDir}.`,
    });
  }
  return found;
}

function hasSql(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((name) => name.endsWith('.sql'));
}

function packagedMigrations(moduleDir: string): string | undefined {
  for (let dir = moduleDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      const candidate = join(dir, 'migrations');
      return hasSql(candidate) ? candidate : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function workspaceMigrations(moduleDir: string): string | undefined {
  for (let dir = moduleDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'supabase', 'migrations');
    if (hasSql(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
