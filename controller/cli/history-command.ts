// `guardrail history [--target T] [--limit N] [--markdown]`: past rollbacks and roll-forwards.
import type { Command } from 'commander';
import { writeOut } from './terminal.js';
import { connect, withConnectionOptions, type ConnectionFlags } from './api-connection.js';
import { CliUsageError, printJson, runAction } from './cli-run.js';
import { formatHistory } from './format-history.js';
import { checkLimit, checkTarget } from './override-flags.js';

interface HistoryFlags extends ConnectionFlags {
  readonly target?: string;
  readonly limit?: string;
  readonly since?: string;
  readonly markdown?: boolean;
}

export function registerHistoryCommand(program: Command): void {
  withConnectionOptions(
    program
      .command('history')
      .description('List rollbacks and roll-forwards, newest first')
      .option('--target <target>', 'only this target')
      .option('--limit <n>', 'at most n entries (1..500, default 50)')
      .option('--since <iso>', 'entries started at or after this ISO 8601 time')
      .option('--markdown', 'print the whole rollback history table, one row per rollback, oldest first (write it with `> docs/rollback_history.md`)'),
  ).action(
    runAction(async (flags: HistoryFlags) => {
      if (flags.markdown === true && flags.json === true) throw new CliUsageError('give --markdown or --json, not both');
      if (flags.markdown === true && flags.limit !== undefined) throw new CliUsageError('--markdown prints the whole history (one row per rollback); --limit does not apply');
      const limit = checkLimit(flags.limit);
      if (flags.since !== undefined && Number.isNaN(Date.parse(flags.since))) throw new CliUsageError(`--since ${JSON.stringify(flags.since)} is not an ISO 8601 time`);
      const params = {
        ...(flags.target === undefined ? {} : { target: checkTarget(flags.target) }),
        ...(limit === undefined ? {} : { limit }),
        ...(flags.since === undefined ? {} : { since: flags.since }),
      };
      const client = await connect(flags);
      if (flags.markdown === true) {
        writeOut(await client.historyMarkdown(params));
        return;
      }
      const page = await client.history(params);
      if (flags.json === true) printJson(page);
      else writeOut(`${formatHistory(page)}\n`);
    }),
  );
}
