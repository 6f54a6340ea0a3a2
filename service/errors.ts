// The error catalogue: every 4xx/5xx body is `{error: {code, message, field?}}` with a stable code. Bodies
// are capped and escaped here, whatever the route or the request.
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

/** The longest message and field name an error body carries: a client's 100 KB key is never echoed back. */
export const MAX_MESSAGE_LENGTH = 500;
export const MAX_FIELD_LENGTH = 100;

// Control and bidi characters (ESC, NUL, CR/LF, U+202E) are shown escaped in messages and field names.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** What a client sent, fit to quote: at most `max` characters (then `…`), control characters escaped. */
export function safeText(text: string, max: number): string {
  const capped = text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
  return capped.replace(CONTROL, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

export function errorBody(code: string, message: string, field?: string): ErrorBody {
  const safeMessage = safeText(message, MAX_MESSAGE_LENGTH);
  return { error: field === undefined ? { code, message: safeMessage } : { code, message: safeMessage, field: safeText(field, MAX_FIELD_LENGTH) } };
}
