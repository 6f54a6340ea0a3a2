// `guardrail rollback TARGET --reason "..."`: roll the target back to its baseline now.
import type { Command } from 'commander';
import { connect, withConnectionOptions, type ConnectionFlags } from './api-connection.js';
import { runAction } from './cli-run.js';
import { checkReason, checkTarget } from './override-flags.js';
import { checkWaitTimeout, followOperation, withWaitOptions, type WaitFlags } from './wait-operation.js';

export function registerRollbackCommand(program: Command): void {
  withWaitOptions(
    withConnectionOptions(
      program
        .command('rollback')
        .description('Roll TARGET back to its rollback variant (e.g. MODEL_VARIANT=baseline) now, and wait for the outcome')
        .argument('<target>', 'policy target name, e.g. prediction-service')
        .option('--reason <text>', 'why (required; kept in history, alerts and logs)'),
    ),
  ).action(
    runAction(async (target: string, flags: ConnectionFlags & WaitFlags & { readonly reason?: string }) => {
      const reason = checkReason(flags.reason, true) as string;
      checkTarget(target);
      const timeoutMs = checkWaitTimeout(flags);
      const client = await connect(flags);
      const { operation } = await client.override(target, 'rollback', { reason });
      await followOperation(client, operation, flags, timeoutMs);
    }),
  );
}
