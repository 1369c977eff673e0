#!/usr/bin/env node
// Launcher for the built server, so `npx exai-stdio` resolves right after `npm ci` (npm links bins at install time).
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node keeps the compiled code on disk between starts (os.tmpdir()/node-compile-cache, or
// NODE_COMPILE_CACHE): MCP clients start this server often and wait for it each time.
module.enableCompileCache?.();

const bundle = new URL('../dist/exai-stdio.mjs', import.meta.url);
const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('exai-stdio is not built yet: run `npm run build` in the exai repository first.\n');
  process.exit(1);
}
// The one-file bundle (apps/stdio/build-bundle.mjs) when the build made it, else the modules.
await import((existsSync(bundle) ? bundle : main).href);
