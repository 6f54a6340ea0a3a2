// `guardrail status`: every target's phase, variant, active rollback, pause and last verdicts.
import type { Command } from 'commander';
import { writeOut } from './terminal.js';
import { connect, withConnectionOptions, type ConnectionFlags } from './api-connection.js';
import { printJson, runAction } from './cli-run.js';
import { formatStatus } from './format-status.js';

export function registerStatusCommand(program: Command): void {
  withConnectionOptions(program.command('status').description('Show every target: phase, variant, active rollback, pause, last verdicts')).action(
    runAction(async (flags: ConnectionFlags) => {
      const client = await connect(flags);
      const { targets, ready, detail } = await client.status();
      if (flags.json === true) printJson({ ready, detail, targets });
      else {
        // A controller that is starting or in safe mode says so above the table.
        if (ready === false && detail !== undefined) writeOut(`controller not ready: ${detail}\n`);
        writeOut(`${formatStatus(targets, Date.now())}\n`);
      }
    }),
  );
}
