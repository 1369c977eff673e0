// Workspace Jest preset: native ESM (cockatiel 4 and PGlite cannot load under CommonJS).
// Run jest with NODE_OPTIONS=--experimental-vm-modules (the nx `test` target does).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));

/** Maps every tsconfig path alias to its source file so tests run without a build. */
const aliasMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace(/[/]/g, '\\/')}$`,
    join(root, target),
  ]),
);

/** @returns {import('jest').Config} */
export function jestConfig(projectDir) {
  return {
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.spec.ts'],
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper: {
      ...aliasMapper,
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    transform: {
      '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: join(projectDir, 'tsconfig.json') }],
    },
    // Embedded PostgreSQL (PGlite) opens and migrates in a few seconds alone, but CI shares two
    // cores with every project's tests: hooks and tests get room, and a hang still fails.
    testTimeout: 90000,
    // A run whose suites all finished must end even if something a test opened is still alive
    // (CI has a hard time limit); the teardown names what was left open.
    forceExit: true,
    globalTeardown: join(root, 'tools/ci/report-open-handles.mjs'),
  };
}
