import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  // Scripts, benchmarks and tests talk to the terminal directly.
  { files: ['bench/**', 'scripts/**', 'test/**', 'bin/**'], rules: { 'no-console': 'off' } },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: globals.node } },
);
