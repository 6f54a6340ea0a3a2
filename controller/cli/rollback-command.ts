// `guardrail rollback TARGET --reason "..."`: roll the target back to its baseline now.
import type { Command } from 'commander';
import { connect, withConnectionOptions, type ConnectionFlags } from './api-connection.js';
import { runAction } from './cli-run.js';
import { checkReason, checkTarget } from './override-flags.js';
import { printAccepted } from './override-output.js';

export function registerRollbackCommand(program: Command): void {
  withConnectionOptions(
    program
      .command('rollback')
      .description('Roll TARGET back to its rollback variant (e.g. MODEL_VARIANT=baseline) now')
      .argument('<target>', 'policy target name, e.g. prediction-service')
      .option('--reason <text>', 'why (required; kept in history, alerts and logs)'),
  ).action(
    runAction(async (target: string, flags: ConnectionFlags & { readonly reason?: string }) => {
      const reason = checkReason(flags.reason, true) as string;
      checkTarget(target);
      const client = await connect(flags);
      const { operation } = await client.override(target, 'rollback', { reason });
      printAccepted(operation, flags.json === true);
    }),
  );
}
