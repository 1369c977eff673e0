#!/usr/bin/env node
// Launcher for the built simulator CLI, so the bin resolves right after `npm ci`.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('exai-provider-sim is not built yet: run `npm run build` first.\n');
  process.exit(1);
}
await import(cli.href);
