#!/usr/bin/env node
// Thin launcher: the CLI is compiled by `npm ci` (the `prepare` script runs tsc into dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/controller/cli/main.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write(`guardrail: ${cli} is missing; run \`npm run build\` (npm ci runs it for you)\n`);
  process.exit(2);
}
await import(cli);
