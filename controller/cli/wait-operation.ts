// `rollback` and `rollforward` wait for the operation's outcome by default: the API answers 202 at once
// and the switch runs on the target's queue, so the CLI polls GET /api/v1/operations/:id until it is
// done, refused or failed, prints it, and exits 1 unless it is done. `--no-wait` prints the id and ends.
import type { Command } from 'commander';
import type { ApiClient } from '../cli-client/api-client.js';
import { parseDuration } from '../core/duration.js';
import type { OperationView } from '../ports/controller.js';
import { CliUsageError, EXIT, printJson } from './cli-run.js';
import { VERB, printAccepted } from './override-output.js';
import { writeErr, writeOut } from './terminal.js';

export const DEFAULT_WAIT_TIMEOUT = '10m';
const POLL_INTERVAL_MS = 500;

export interface WaitFlags {
  /** false with --no-wait. */
  readonly wait?: boolean;
  readonly waitTimeout?: string;
  readonly json?: boolean;
}

export function withWaitOptions(command: Command): Command {
  return command
    .option('--no-wait', 'print the operation id and return at once instead of waiting for the outcome')
    .option('--wait-timeout <duration>', `how long to wait for the outcome, e.g. 90s, 5m (default ${DEFAULT_WAIT_TIMEOUT})`);
}

/** The wait timeout in ms; a usage error before any request when it is not a duration. */
export function checkWaitTimeout(flags: WaitFlags): number {
  const text = flags.waitTimeout ?? DEFAULT_WAIT_TIMEOUT;
  const ms = parseDuration(text);
  if (ms === undefined || ms < 1000) throw new CliUsageError(`--wait-timeout ${JSON.stringify(text)} is not a duration of at least 1s (e.g. 90s, 5m)`);
  return ms;
}

const finished = (op: OperationView): boolean => op.status === 'done' || op.status === 'refused' || op.status === 'failed';

/** Polls until the operation finishes or `timeoutMs` passes; returns the last view seen. */
export async function waitForOutcome(client: ApiClient, accepted: OperationView, timeoutMs: number): Promise<{ operation: OperationView; timedOut: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let operation = accepted;
  while (!finished(operation)) {
    if (Date.now() >= deadline) return { operation, timedOut: true };
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_INTERVAL_MS, Math.max(0, deadline - Date.now()))));
    ({ operation } = await client.operation(operation.id));
  }
  return { operation, timedOut: false };
}

/**
 * After a 202: wait (unless --no-wait), print the outcome, set the exit code. `alsoJson` is printed beside
 * the operation under --json (a candidate's answer: what was set).
 */
export async function followOperation(client: ApiClient, accepted: OperationView, flags: WaitFlags, timeoutMs: number, alsoJson: Readonly<Record<string, unknown>> = {}): Promise<void> {
  const json = flags.json === true;
  if (flags.wait === false) {
    printAccepted(accepted, json, '', alsoJson);
    return;
  }
  if (!json) writeOut(`${VERB[accepted.kind]} of ${accepted.target} accepted: operation ${accepted.id}; waiting for the outcome (--no-wait to skip)...\n`);
  const { operation, timedOut } = await waitForOutcome(client, accepted, timeoutMs);
  if (json) printJson({ operation, ...alsoJson, ...(timedOut ? { timedOut: true } : {}) });
  const detail = operation.message === null ? '' : `: ${operation.message}`;
  if (timedOut) {
    writeErr(`guardrail: operation ${operation.id} still ${operation.status} after ${flags.waitTimeout ?? DEFAULT_WAIT_TIMEOUT}${detail}; follow it with: guardrail status ${operation.target}\n`);
    process.exitCode = EXIT.serverError;
    return;
  }
  if (operation.status === 'done') {
    if (!json) writeOut(`${VERB[operation.kind]} of ${operation.target} done${detail}.\n`);
    return;
  }
  writeErr(`guardrail: ${VERB[operation.kind].toLowerCase()} of ${operation.target} ${operation.status} (operation ${operation.id})${detail}\n`);
  process.exitCode = EXIT.serverError;
}
