// `guardrail rollforward TARGET [--reason "..."]` and `guardrail resume TARGET [--reason "..."]`: the two
// overrides whose reason is optional. They differ only in verb and wording, so one builder serves both.
// `rollforward --candidate REF` (repeatable) sets the shadow's candidate instead: candidate-flag.ts.
import type { Command } from 'commander';
import { connect, withConnectionOptions, type ConnectionFlags } from './api-connection.js';
import { runAction } from './cli-run.js';
import { checkCandidate, printCandidateSet, withCandidateOption, type CandidateFlags } from './candidate-flag.js';
import { checkReason, checkTarget } from './override-flags.js';
import { writeErr } from './terminal.js';
import { printAccepted } from './override-output.js';
import { checkWaitTimeout, followOperation, withWaitOptions, type WaitFlags } from './wait-operation.js';

interface OptionalReasonOverride {
  readonly action: 'rollforward' | 'resume';
  readonly description: string;
}

function registerOverride(program: Command, { action, description }: OptionalReasonOverride): void {
  const command = withConnectionOptions(program.command(action).description(description).argument('<target>', 'policy target name').option('--reason <text>', 'why'));
  // A roll-forward is a switch like a rollback: it waits for the outcome. A resume ends at once.
  const waits = action === 'rollforward';
  if (waits) command.option('--force', 'roll forward even while the shadow candidate breaches the roll-forward gate');
  if (waits) withCandidateOption(command);
  (waits ? withWaitOptions(command) : command).action(
    runAction(async (target: string, flags: ConnectionFlags & WaitFlags & CandidateFlags & { readonly reason?: string; readonly force?: boolean }) => {
      const reason = checkReason(flags.reason, false);
      checkTarget(target);
      const candidate = checkCandidate(flags);
      const timeoutMs = waits ? checkWaitTimeout(flags) : 0;
      const client = await connect(flags);
      const body = { ...(reason === undefined ? {} : { reason }), ...(flags.force === true ? { force: true } : {}), ...(candidate === undefined ? {} : { candidate }) };
      const answer = await client.override(target, action, body);
      const { operation, warning } = answer;
      if (answer.candidate !== undefined && flags.json !== true) printCandidateSet(target, answer.candidate);
      // On stderr, so --json output stays one document.
      if (warning !== undefined) writeErr(`guardrail: warning: ${warning}\n`);
      // --json: the candidate that was set beside the operation, as the human output prints it.
      const alsoJson = answer.candidate === undefined ? {} : { candidate: answer.candidate };
      if (waits) await followOperation(client, operation, flags, timeoutMs, alsoJson);
      else printAccepted(operation, flags.json === true, '', alsoJson);
    }),
  );
}

export function registerRollforwardCommand(program: Command): void {
  registerOverride(program, { action: 'rollforward', description: 'Restore TARGET to its normal variant after a rollback, and wait for the outcome' });
}

export function registerResumeCommand(program: Command): void {
  registerOverride(program, { action: 'resume', description: 'End a pause of TARGET: automation resumes at once' });
}
