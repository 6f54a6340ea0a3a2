// The API's error catalogue. Every 4xx/5xx is an RFC 9457 problem (`application/problem+json`):
// `{type, title, status, detail, code, details?}`. `code` is the stable GR_ERR_* code (an extension
// member) that clients branch on; `type` names the same problem as a URI reference that the API itself
// serves (GET /api/v1/problems/{code}); `title` never changes for a code; `detail` says what happened
// this time. Nothing a client sent is echoed at length: `detail` and `details` are capped here, so an
// error body stays small whatever the request (1000 invalid alerts used to give a 242 KB body).
import { capText, escapeControl } from '../core/display-text.js';

export const API_ERRORS = {
  GR_ERR_UNAUTHORIZED: { status: 401, title: 'a valid bearer token is required' },
  GR_ERR_FORBIDDEN: { status: 403, title: 'this token may not use this route' },
  GR_ERR_VALIDATION: { status: 400, title: 'the request does not match the schema' },
  GR_ERR_INVALID_JSON: { status: 400, title: 'the request body is not valid JSON' },
  GR_ERR_NOT_FOUND: { status: 404, title: 'no such route or resource' },
  GR_ERR_UNKNOWN_TARGET: { status: 404, title: 'no policy has this target' },
  GR_ERR_CONFLICT: { status: 409, title: 'another operation is in flight or the engine refused' },
  GR_ERR_CANDIDATE_NOT_ALLOWED: { status: 403, title: 'the policy does not allow this candidate' },
  GR_ERR_CANDIDATE_UNSUPPORTED: { status: 422, title: 'the target\'s actuator cannot run this candidate' },
  GR_ERR_REQUEST_TIMEOUT: { status: 408, title: 'the request was not received in time' },
  GR_ERR_BODY_TOO_LARGE: { status: 413, title: 'the request body is over the limit' },
  GR_ERR_UNSUPPORTED_MEDIA: { status: 415, title: 'Content-Type must be application/json' },
  GR_ERR_HEADERS_TOO_LARGE: { status: 431, title: 'the request headers are over the limit' },
  GR_ERR_INTERNAL: { status: 500, title: 'internal error' },
  GR_ERR_UNAVAILABLE: { status: 503, title: 'the controller is shutting down' },
  GR_ERR_NOT_BUILT: { status: 503, title: 'the dashboard page is not built' },
} as const satisfies Record<string, { readonly status: number; readonly title: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_PREFIX = '/api/v1/problems/';
/** The longest `detail` (characters); a validation message lists its first problem and counts the rest. */
export const MAX_DETAIL_LENGTH = 500;
/** At most this many entries in `details` when it is a list (validation problems). */
export const MAX_DETAIL_ITEMS = 20;

/** An RFC 9457 problem with Guardrail's `code` (and, for some codes, `details`) extension members. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ApiErrorCode;
  readonly details?: unknown;
}

/** Thrown by routes and hooks; the error handler turns it into the catalogue's status and problem body. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly details: unknown;

  constructor(code: ApiErrorCode, message: string = API_ERRORS[code].title, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
  }

  get statusCode(): number {
    return API_ERRORS[this.code].status;
  }

  toBody(): ProblemBody {
    return problemBody(this.code, this.message, this.details);
  }
}

export function problemType(code: ApiErrorCode): string {
  return `${PROBLEM_TYPE_PREFIX}${code}`;
}

export function problemBody(code: ApiErrorCode, detail: string, details?: unknown): ProblemBody {
  const { status, title } = API_ERRORS[code];
  const body = { type: problemType(code), title, status, detail: escapeControl(capText(detail, MAX_DETAIL_LENGTH)), code };
  return details === undefined ? body : { ...body, details: Array.isArray(details) ? details.slice(0, MAX_DETAIL_ITEMS) : details };
}

/** The whole HTTP/1.1 answer for errors written straight to the socket (timeouts, oversized headers). */
export function rawProblemResponse(code: ApiErrorCode, detail: string): string {
  const body = JSON.stringify(problemBody(code, detail));
  const { status } = API_ERRORS[code];
  const reason = code === 'GR_ERR_REQUEST_TIMEOUT' ? 'Request Timeout' : code === 'GR_ERR_HEADERS_TOO_LARGE' ? 'Request Header Fields Too Large' : 'Bad Request';
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && Object.hasOwn(API_ERRORS, value);
}

/** JSON schema of the problem body, referenced by every route's 4xx/5xx responses in the OpenAPI document. */
export const ERROR_BODY_SCHEMA = {
  $id: 'ApiError',
  description: `Every 4xx/5xx answer, as ${PROBLEM_CONTENT_TYPE}. \`code\` is the stable GR_ERR_* code; \`type\` names the same problem and is served by GET ${PROBLEM_TYPE_PREFIX}{code}.`,
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', description: `a URI reference, ${PROBLEM_TYPE_PREFIX}{code}` },
    title: { type: 'string', description: 'the same for every occurrence of a code' },
    status: { type: 'integer' },
    detail: { type: 'string', description: `this occurrence, at most ${MAX_DETAIL_LENGTH} characters, control characters escaped` },
    code: { type: 'string', enum: Object.keys(API_ERRORS) },
    details: { description: `validation problems ([{path, message}], at most ${MAX_DETAIL_ITEMS}) or the operation in flight ({inFlight}), and for a roll-forward refused on the shadow gate its evidence ({shadow})` },
  },
} as const;
