// `guardrail policy validate [paths...]` and `guardrail policy test FILE...`.

import type { Command } from 'commander';
import { writeErr, writeOut } from './terminal.js';
import { formatPolicyError } from '../ports/policy-source.js';
import { policySource } from '../wiring/policy.js';
import { formatResults, runScenarioFile, type TestResult } from './policy-scenario-run.js';

export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('Check rollback policies');

  policy
    .command('validate')
    .description('Validate policy files or directories (default: policies/); prints every error as file:line:col message')
    .argument('[paths...]', 'policy files or directories', ['policies'])
    .action(async (paths: string[]) => {
      const result = await policySource.load(paths);
      if (result.ok) {
        writeOut(`${result.files.length} policy file(s) valid: ${result.files.join(', ')}\n`);
        return;
      }
      writeErr(`${result.errors.map(formatPolicyError).join('\n')}\n`);
      process.exitCode = 1;
    });

  policy
    .command('test')
    .description(
      'Run offline scenario tests (series in promtool notation, expected phases/commands/alerts); raw-series tests ' +
        '(input_series) are evaluated by a throwaway Prometheus and need promtool and prometheus on PATH',
    )
    .argument('<files...>', 'scenario files (e.g. policies/tests/*.yaml)')
    .action(async (files: string[]) => {
      // One file after the other: raw-series tests each start a throwaway Prometheus.
      const results: TestResult[] = [];
      for (const file of files) results.push(...(await runScenarioFile(file)));
      const { text, failed } = formatResults(results);
      (failed > 0 ? process.stderr : process.stdout).write(`${text}\n`);
      if (failed > 0) process.exitCode = 1;
    });
}
