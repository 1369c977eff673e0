#!/usr/bin/env node
// Launcher for the built server, so `npx exai-daemon` resolves right after `npm ci` (npm links bins at install time).
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node keeps the compiled code on disk between starts (os.tmpdir()/node-compile-cache, or NODE_COMPILE_CACHE).
module.enableCompileCache?.();

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('exai-daemon is not built yet: run `npm run build` in the exai repository first.\n');
  process.exit(1);
}
await import(main.href);
