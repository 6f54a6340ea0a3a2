// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'models/artifacts/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The decision engine is pure: no I/O, no clock, no adapters. `now` and observations come in as arguments.
    files: ['controller/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'http', 'https', 'child_process'], message: 'controller/core is pure: no I/O.' },
            { group: ['**/adapters/**', 'dockerode', 'fastify', 'axios', 'pino', 'prom-client'], message: 'controller/core must not import adapters or I/O libraries.' },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'controller/core never reads the clock: take `now` as an argument.' },
        { object: 'Math', property: 'random', message: 'controller/core is deterministic.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'controller/core never reads the clock.' },
      ],
    },
  },
);
