// Checks of override flags done before any request, with the server's own rules (same pattern, same
// limits), so a typo fails fast and clearly instead of as an HTTP 400.
import { pauseUntil } from '../http/pause-window.js';
import { MAX_REASON_LENGTH, TARGET_NAME_PATTERN } from '../http/schemas.js';
import { CliUsageError } from './cli-run.js';

export function checkTarget(target: string): string {
  if (!new RegExp(TARGET_NAME_PATTERN).test(target)) throw new CliUsageError(`target ${JSON.stringify(target)} is not a policy target name`);
  return target;
}

export function checkReason(reason: string | undefined, required: boolean): string | undefined {
  if (reason === undefined) {
    if (required) throw new CliUsageError('--reason "<why>" is required');
    return undefined;
  }
  if (reason.trim() === '') throw new CliUsageError('--reason must not be empty');
  if (reason.length > MAX_REASON_LENGTH) throw new CliUsageError(`--reason is longer than ${MAX_REASON_LENGTH} characters`);
  return reason;
}

/** `--for 30m` or `--until ISO`: exactly one, 1 minute .. 7 days ahead. */
export function checkPauseWindow(flags: { readonly for?: string; readonly until?: string }, nowMs: number): { duration: string } | { until: string } {
  if ((flags.for === undefined) === (flags.until === undefined)) throw new CliUsageError('give exactly one of --for <duration> (e.g. 30m) or --until <ISO 8601 time>');
  const window = pauseUntil({ duration: flags.for, until: flags.until }, nowMs);
  // The server's messages start with the field name; the CLI's flags are --for and --until.
  if (!window.ok) throw new CliUsageError(window.message.replace(/^duration/, '--for').replace(/^until/, '--until'));
  return flags.for !== undefined ? { duration: flags.for } : { until: flags.until as string };
}

export function checkLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < 1 || n > 500) throw new CliUsageError(`--limit ${JSON.stringify(text)} must be an integer from 1 to 500`);
  return n;
}
