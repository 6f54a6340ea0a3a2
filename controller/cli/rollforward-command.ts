// `guardrail rollforward TARGET [--reason "..."]`: restore the normal variant after a rollback.
import type { Command } from 'commander';
import { connect, withConnectionOptions, type ConnectionFlags } from './api-connection.js';
import { runAction } from './cli-run.js';
import { checkReason, checkTarget } from './override-flags.js';
import { printAccepted } from './override-output.js';

export function registerRollforwardCommand(program: Command): void {
  withConnectionOptions(
    program
      .command('rollforward')
      .description('Restore TARGET to its normal variant after a rollback')
      .argument('<target>', 'policy target name')
      .option('--reason <text>', 'why'),
  ).action(
    runAction(async (target: string, flags: ConnectionFlags & { readonly reason?: string }) => {
      const reason = checkReason(flags.reason, false);
      checkTarget(target);
      const client = await connect(flags);
      const { operation } = await client.override(target, 'rollforward', reason === undefined ? {} : { reason });
      printAccepted(operation, flags.json === true);
    }),
  );
}
