// Flat ESLint config for the whole workspace. The layer rules of house-style.md §1 are encoded as
// @nx/enforce-module-boundaries depConstraints on project tags (type:*, layer:*, role:*).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** Which projects each tag may depend on. */
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
  // The contract has no runtime dependencies at all.
  { sourceTag: 'layer:spec', onlyDependOnLibsWithTags: ['layer:spec'], bannedExternalImports: ['*'] },
  // Providers implement the contract and import nothing else of ours; the router never imports a provider.
  { sourceTag: 'layer:provider', onlyDependOnLibsWithTags: ['layer:spec'] },
  { sourceTag: 'layer:core', onlyDependOnLibsWithTags: ['layer:spec', 'layer:leaf'] },
  { sourceTag: 'layer:tools', onlyDependOnLibsWithTags: ['layer:core', 'layer:spec', 'layer:leaf'] },
  { sourceTag: 'layer:leaf', onlyDependOnLibsWithTags: ['layer:leaf', 'layer:spec'] },
  // The host composes everything from the environment (config, providers into the router, storage); apps are thin over it.
  { sourceTag: 'layer:host', onlyDependOnLibsWithTags: ['layer:tools', 'layer:core', 'layer:spec', 'layer:leaf', 'layer:provider'] },
  { sourceTag: 'layer:app', onlyDependOnLibsWithTags: ['layer:host', 'layer:tools', 'layer:core', 'layer:spec', 'layer:leaf', 'layer:provider'] },
];

/**
 * In tests, libraries and apps may also drive the provider simulator (a real local HTTP server) and
 * the real providers against it, so tools are tested with what the apps wire in.
 */
const testDepConstraints = depConstraints.map(({ bannedExternalImports: _banned, ...constraint }) =>
  constraint.sourceTag === 'layer:spec'
    ? constraint
    : { ...constraint, onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'role:sim', 'layer:provider'] },
);

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'tmp/**', '.nx/**', '**/jest.config.js', 'jest.preset.js', 'eslint.config.js', '**/bin/*.js', 'tools/ci/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...tseslint.configs.recommended.map((config) => ({ ...config, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints, banTransitiveDependencies: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', '**/test-support/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints: testDepConstraints },
      ],
      'no-console': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
];
