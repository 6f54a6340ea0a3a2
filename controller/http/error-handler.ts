// Maps every failure onto the catalogue in errors.ts: our ApiErrors, Fastify's schema validation, bad
// JSON, body limits, wrong media types, unknown routes and anything unexpected (500, logged).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type ApiErrorCode } from './errors.js';

const FASTIFY_CODES: Readonly<Record<string, ApiErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'GR_ERR_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'GR_ERR_UNSUPPORTED_MEDIA',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'GR_ERR_VALIDATION',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'GR_ERR_INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'GR_ERR_INVALID_JSON',
};

interface ValidationIssue {
  readonly instancePath?: string;
  readonly message?: string;
}

/** The ApiError a failure stands for. */
export function toApiError(err: FastifyError | Error): ApiError {
  if (err instanceof ApiError) return err;
  const fastifyErr = err as Partial<FastifyError>;
  if (Array.isArray(fastifyErr.validation)) {
    const where = fastifyErr.validationContext ?? 'request';
    const details = (fastifyErr.validation as readonly ValidationIssue[]).slice(0, 20).map((v) => ({ path: `${where}${v.instancePath ?? ''}`, message: v.message ?? 'invalid' }));
    return new ApiError('GR_ERR_VALIDATION', err.message, details);
  }
  const mapped = fastifyErr.code === undefined ? undefined : FASTIFY_CODES[fastifyErr.code];
  if (mapped !== undefined) return new ApiError(mapped, mapped === 'GR_ERR_UNSUPPORTED_MEDIA' ? 'Content-Type must be application/json' : err.message);
  const status = typeof fastifyErr.statusCode === 'number' ? fastifyErr.statusCode : 500;
  if (status === 404) return new ApiError('GR_ERR_NOT_FOUND', err.message);
  if (status >= 400 && status < 500) return new ApiError('GR_ERR_VALIDATION', err.message);
  return new ApiError('GR_ERR_INTERNAL', 'internal error');
}

export function handleError(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(err);
  if (apiError.code === 'GR_ERR_INTERNAL') request.log.error({ err }, 'unhandled error');
  else if (apiError.code === 'GR_ERR_UNAUTHORIZED' || apiError.code === 'GR_ERR_FORBIDDEN') {
    // Who tried, never what they sent: the Authorization header is not logged (see log-redact.ts).
    request.log.warn({ route: request.routeOptions.url, ip: request.ip, code: apiError.code }, 'refused request');
  }
  return reply.code(apiError.statusCode).send(apiError.toBody());
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const url = request.url.length > 100 ? `${request.url.slice(0, 100)}…` : request.url;
  const error = new ApiError('GR_ERR_NOT_FOUND', `no route ${request.method} ${url}`);
  return reply.code(404).send(error.toBody());
}
