#!/usr/bin/env node
// Launcher for the built migration command, so `npx exai-migrate` resolves right after install.
import { existsSync } from 'node:fs';

const main = new URL('../dist/migrate-cli.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('exai-migrate is not built yet: run `npm run build` in the exai repository first.\n');
  process.exit(1);
}
await import(main.href);
