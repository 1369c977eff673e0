#!/usr/bin/env node
// `npm start`: runs exai-daemon on 127.0.0.1:3000 with embedded storage. On a fresh machine nothing
// is configured yet, so — bound to loopback only — it allows anonymous access and says so. Any
// authentication setting (in the environment or ./.env) turns this off.
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

const fromFile = existsSync('.env') ? parseEnv(readFileSync('.env', 'utf8')) : {};
const setting = (name) => process.env[name] || fromFile[name] || undefined;
const authSettings = ['SUPABASE_JWT_SECRET', 'EXAI_JWT_SECRET', 'EXAI_JWKS_URL', 'EXAI_WS_TOKEN', 'EXAI_ALLOW_ANONYMOUS'];
const host = setting('EXAI_WS_HOST') ?? '127.0.0.1';
const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.');
if (loopback && !authSettings.some(setting)) {
  process.env.EXAI_ALLOW_ANONYMOUS = 'true';
  process.stderr.write(
    'exai: no authentication configured — serving anonymous clients on loopback only. Set EXAI_WS_TOKEN or a JWT secret (see .env.example) before sharing the daemon.\n',
  );
}
await import(new URL('../apps/daemon/bin/exai-daemon.js', import.meta.url).href);
