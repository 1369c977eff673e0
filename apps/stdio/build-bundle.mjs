#!/usr/bin/env node
// Bundles the built exai-stdio (dist/main.js and the @exai libs it imports) into one file,
// dist/exai-stdio.mjs, which bin/exai-stdio.js runs. MCP clients wait for the `initialize` answer
// at every start; one file loads in a fraction of the time of the ~900 ESM modules it replaces
// (figures in docs/benchmarks.md). Packages that read files next to their own modules at run time
// (PGlite's WebAssembly, pino's worker, pg, supabase-js, ws) stay external and load from
// node_modules. The SQL migrations are copied to apps/stdio/migrations, where the bundled storage
// code looks for them, as in the published @exai/storage package.
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const app = dirname(fileURLToPath(import.meta.url));
const root = join(app, '..', '..');

await build({
  entryPoints: [join(app, 'dist', 'main.js')],
  outfile: join(app, 'dist', 'exai-stdio.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['@electric-sql/pglite', '@electric-sql/pglite/*', 'pg', 'pg-native', '@supabase/supabase-js', 'pino', 'pino/*', 'thread-stream', 'ws', 'bufferutil', 'utf-8-validate', 'undici'],
  // Bundled CommonJS dependencies call require(): give the ES module one.
  banner: { js: "import { createRequire as __exaiCreateRequire } from 'node:module'; const require = __exaiCreateRequire(import.meta.url);" },
});

const migrations = join(app, 'migrations');
rmSync(migrations, { recursive: true, force: true });
mkdirSync(migrations);
for (const name of readdirSync(join(root, 'supabase', 'migrations')).filter((file) => file.endsWith('.sql'))) {
  cpSync(join(root, 'supabase', 'migrations', name), join(migrations, name));
}
