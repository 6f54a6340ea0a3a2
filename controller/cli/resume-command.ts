// `guardrail resume TARGET`: end a pause now.
import type { Command } from 'commander';
import { connect, withConnectionOptions, type ConnectionFlags } from './api-connection.js';
import { runAction } from './cli-run.js';
import { checkReason, checkTarget } from './override-flags.js';
import { printAccepted } from './override-output.js';

export function registerResumeCommand(program: Command): void {
  withConnectionOptions(
    program
      .command('resume')
      .description('End a pause of TARGET: automation resumes at once')
      .argument('<target>', 'policy target name')
      .option('--reason <text>', 'why'),
  ).action(
    runAction(async (target: string, flags: ConnectionFlags & { readonly reason?: string }) => {
      const reason = checkReason(flags.reason, false);
      checkTarget(target);
      const client = await connect(flags);
      const { operation } = await client.override(target, 'resume', reason === undefined ? {} : { reason });
      printAccepted(operation, flags.json === true);
    }),
  );
}
