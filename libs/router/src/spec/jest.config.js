import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jestConfig } from '../../../../jest.preset.js';

const config = jestConfig(dirname(fileURLToPath(import.meta.url)));
export default { ...config, testMatch: ['<rootDir>/**/*.spec.ts'] };
