// How CLI commands end: output on stdout, errors on stderr with a stable exit code.
//   0 ok · 1 the server refused or failed (4xx/5xx, its code and message printed), or the operation it ran
//   failed · 2 usage: an unknown command or flag, a missing or bad argument (commander's errors too), nothing
//   was sent · 3 the server could not be reached.
import { ApiRequestError, ApiUnreachableError } from '../cli-client/api-client.js';
import { terminalJson, writeErr, writeOut } from './terminal.js';

export const EXIT = { ok: 0, serverError: 1, usage: 2, unreachable: 3 } as const;

/** A flag or argument is wrong; detected before any request is sent. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export function runAction<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (err) {
      const { message, exitCode } = describeFailure(err);
      writeErr(`guardrail: ${message}\n`);
      process.exitCode = exitCode;
    }
  };
}

export function describeFailure(err: unknown): { readonly message: string; readonly exitCode: number } {
  if (err instanceof CliUsageError) return { message: err.message, exitCode: EXIT.usage };
  if (err instanceof ApiRequestError) return { message: `${err.message} [${err.code}, HTTP ${err.status}]`, exitCode: EXIT.serverError };
  if (err instanceof ApiUnreachableError) {
    return { message: `${err.message}; is the controller running? Set --url or GUARDRAIL_URL.`, exitCode: EXIT.unreachable };
  }
  return { message: err instanceof Error ? err.message : String(err), exitCode: EXIT.serverError };
}

export function printJson(value: unknown): void {
  writeOut(`${terminalJson(value)}\n`);
}
