// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The layering of controller/ (docs/README "Layout"), enforced here the way the core's purity is:
//   core ← ports ← runtime, http, cli ← wiring, main
//                  adapters (each behind a port) ← wiring, main
// Only controller/main.ts and controller/wiring/ choose adapters; adapters never reach back into the runtime.
// Import cycles (type-only ones too) are refused by dependency-cruiser (.dependency-cruiser.cjs, `npm run lint`).
const ADAPTERS = { group: ['**/adapters/**'], message: 'Only controller/main.ts and controller/wiring/ import adapters: take the port instead.' };
const OUTER_LAYERS = {
  group: ['**/runtime/**', '**/http/**', '**/cli/**', '**/wiring/**', '**/main.js'],
  message: 'Adapters and ports sit below the runtime, the API, the CLI and the wiring.',
};

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
    // The dashboard page runs in the browser (bundled by scripts/build-dashboard.ts), not in Node.
    files: ['dashboard/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Small files, short functions (the developers' guide): production code and scripts both.
    files: ['controller/**/*.ts', 'service/**/*.ts', 'dashboard/**/*.ts', 'scripts/**/*.{ts,mjs}', 'docker/**/*.mjs', 'bin/**/*.js'],
    rules: { 'max-lines': ['error', { max: 300 }], 'max-lines-per-function': ['error', { max: 60 }] },
  },
  {
    // Tests: files stay small; a describe() callback is one long function by nature, so no function limit.
    files: ['test/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 300 }] },
  },
  {
    files: ['controller/runtime/**/*.ts', 'controller/http/**/*.ts', 'controller/cli/**/*.ts', 'controller/cli-client/**/*.ts', 'controller/*.ts'],
    ignores: ['controller/main.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ADAPTERS] }] },
  },
  {
    files: ['controller/ports/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ADAPTERS, OUTER_LAYERS] }] },
  },
  {
    files: ['controller/adapters/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [OUTER_LAYERS] }] },
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
            { group: ['**/adapters/**', '**/ports/**', '**/runtime/**', '**/http/**', '**/wiring/**', 'dockerode', 'fastify', 'axios', 'pino', 'prom-client'], message: 'controller/core imports nothing but itself.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'controller/core never waits: the runtime schedules.' },
        { name: 'setInterval', message: 'controller/core never waits: the runtime schedules.' },
        { name: 'setImmediate', message: 'controller/core never waits: the runtime schedules.' },
        { name: 'performance', message: 'controller/core never reads the clock: take `now` as an argument.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'controller/core never reads the clock: take `now` as an argument.' },
        { object: 'performance', property: 'now', message: 'controller/core never reads the clock: take `now` as an argument.' },
        { object: 'process', property: 'hrtime', message: 'controller/core never reads the clock: take `now` as an argument.' },
        { object: 'Math', property: 'random', message: 'controller/core is deterministic.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'controller/core never reads the clock.' },
      ],
    },
  },
);
