import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jestConfig } from '../../jest.preset.js';

const config = jestConfig(dirname(fileURLToPath(import.meta.url)));
// src/spec is its own Nx project (router-spec) with its own test target.
export default { ...config, testPathIgnorePatterns: ['/node_modules/', '<rootDir>/src/spec/'] };
