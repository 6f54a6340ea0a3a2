// `guardrail pause TARGET --for 30m --reason "..."` (or `--until ISO`): no automatic action until then.
import type { Command } from 'commander';
import { connect, withConnectionOptions, type ConnectionFlags } from './api-connection.js';
import { runAction } from './cli-run.js';
import { checkPauseWindow, checkReason, checkTarget } from './override-flags.js';
import { printAccepted } from './override-output.js';

interface PauseFlags extends ConnectionFlags {
  readonly for?: string;
  readonly until?: string;
  readonly reason?: string;
}

export function registerPauseCommand(program: Command): void {
  withConnectionOptions(
    program
      .command('pause')
      .description('Pause automatic rollbacks of TARGET for a while (1m..7d); it resumes by itself')
      .argument('<target>', 'policy target name')
      .option('--for <duration>', 'how long, e.g. 30m, 2h, 1h30m, 1d')
      .option('--until <iso>', 'until this ISO 8601 time')
      .option('--reason <text>', 'why (required)'),
  ).action(
    runAction(async (target: string, flags: PauseFlags) => {
      checkTarget(target);
      const reason = checkReason(flags.reason, true) as string;
      const window = checkPauseWindow(flags, Date.now());
      const client = await connect(flags);
      const { operation } = await client.override(target, 'pause', { ...window, reason });
      printAccepted(operation, flags.json === true, 'duration' in window ? ` for ${window.duration}` : ` until ${window.until}`);
    }),
  );
}
