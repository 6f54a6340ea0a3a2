// The API's error catalogue: every 4xx/5xx body is `{error: {code, message, details?}}` and every code
// comes from here, so clients (the CLI, scripts) can branch on a code that never changes wording.

export const API_ERRORS = {
  GR_ERR_UNAUTHORIZED: { status: 401, title: 'a valid bearer token is required' },
  GR_ERR_FORBIDDEN: { status: 403, title: 'this token may not use this route' },
  GR_ERR_VALIDATION: { status: 400, title: 'the request does not match the schema' },
  GR_ERR_INVALID_JSON: { status: 400, title: 'the request body is not valid JSON' },
  GR_ERR_NOT_FOUND: { status: 404, title: 'no such route or resource' },
  GR_ERR_UNKNOWN_TARGET: { status: 404, title: 'no policy has this target' },
  GR_ERR_CONFLICT: { status: 409, title: 'another operation is in flight or the engine refused' },
  GR_ERR_BODY_TOO_LARGE: { status: 413, title: 'the request body is over the limit' },
  GR_ERR_UNSUPPORTED_MEDIA: { status: 415, title: 'Content-Type must be application/json' },
  GR_ERR_INTERNAL: { status: 500, title: 'internal error' },
} as const satisfies Record<string, { readonly status: number; readonly title: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ApiErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string; readonly details?: unknown };
}

/** Thrown by routes and hooks; the error handler turns it into the catalogue's status and body. */
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

  toBody(): ApiErrorBody {
    return errorBody(this.code, this.message, this.details);
  }
}

export function errorBody(code: ApiErrorCode, message: string, details?: unknown): ApiErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && Object.hasOwn(API_ERRORS, value);
}

/** JSON schema of the error body, referenced by every route's 4xx/5xx responses in the OpenAPI document. */
export const ERROR_BODY_SCHEMA = {
  $id: 'ApiError',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(API_ERRORS) },
        message: { type: 'string' },
        details: {},
      },
    },
  },
} as const;
