// The error catalogue: every 4xx/5xx body is `{error: {code, message, field?}}` with a stable code.
// Invalid input errors carry the `reason` label they are counted under in prediction_invalid_input_total.
import type { InvalidInputReason } from './contract.js';

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

/** A request the service refuses because of what the client sent (always a 4xx). */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  readonly reason: InvalidInputReason;
  readonly field: string | undefined;
  readonly statusCode: number;

  constructor(reason: InvalidInputReason, message: string, field?: string, statusCode = 400) {
    super(message);
    this.reason = reason;
    this.field = field;
    this.statusCode = statusCode;
  }

  get code(): string {
    return this.reason.toUpperCase();
  }

  toBody(): ErrorBody {
    return errorBody(this.code, this.message, this.field);
  }
}

export function errorBody(code: string, message: string, field?: string): ErrorBody {
  return { error: field === undefined ? { code, message } : { code, message, field } };
}
