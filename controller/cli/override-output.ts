// What an accepted override prints: the operation id, so the operator can follow it.
import type { OperationView } from '../ports/controller.js';
import { printJson } from './cli-run.js';
import { writeOut } from './terminal.js';

export const VERB = { rollback: 'Rollback', rollforward: 'Roll-forward', pause: 'Pause', resume: 'Resume', webhook: 'Webhook', candidate: 'Candidate' } as const;

/** `alsoJson`: more of the answer --json prints beside the operation (a candidate's: what was set). */
export function printAccepted(operation: OperationView, json: boolean, extra = '', alsoJson: Readonly<Record<string, unknown>> = {}): void {
  if (json) {
    printJson({ operation, ...alsoJson });
    return;
  }
  writeOut(
    `${VERB[operation.kind]} of ${operation.target} accepted${extra}: operation ${operation.id} (${operation.status}).\n` + `Follow it with: guardrail status\n`,
  );
}
