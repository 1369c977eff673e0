// `npx exai-migrate`: applies exai's migrations to DATABASE_URL (bin/exai-migrate.js loads this).
import { runMigrateCommand } from './sql/migrate-command.js';

process.exitCode = await runMigrateCommand({ argv: process.argv.slice(2), env: process.env, stderr: process.stderr });
