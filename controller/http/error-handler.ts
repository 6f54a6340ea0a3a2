// Maps every failure onto the catalogue in errors.ts: our ApiErrors, Fastify's schema validation, bad
// JSON, body limits, wrong media types, unknown routes, errors Node's HTTP parser raises before Fastify
// sees a request (timeouts, oversized or malformed headers) and anything unexpected (500, logged).
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { capText, quoteName } from '../core/display-text.js';
import { ApiError, MAX_DETAIL_ITEMS, PROBLEM_CONTENT_TYPE, rawProblemResponse, type ApiErrorCode } from './errors.js';
import { pathOf } from './log-redact.js';

const FASTIFY_CODES: Readonly<Record<string, ApiErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'GR_ERR_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'GR_ERR_UNSUPPORTED_MEDIA',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'GR_ERR_VALIDATION',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'GR_ERR_INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'GR_ERR_INVALID_JSON',
};

/** One Ajv error as Fastify hands it over (allErrors: a bad payload can carry thousands). */
interface ValidationIssue {
  readonly instancePath?: string;
  readonly keyword?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly message?: string;
}

/** A problem's message: an unknown key is named (capped), never echoed whole, and never just "additional properties". */
function describeIssue(issue: ValidationIssue): string {
  const extra = issue.params?.['additionalProperty'];
  if (issue.keyword === 'additionalProperties' && typeof extra === 'string') return `unknown field ${quoteName(extra)}`;
  return capText(issue.message ?? 'invalid', 200);
}

function validationError(err: Partial<FastifyError> & Error): ApiError {
  const where = err.validationContext ?? 'request';
  const issues = err.validation as readonly ValidationIssue[];
  const details = issues.slice(0, MAX_DETAIL_ITEMS).map((v) => ({ path: capText(`${where}${v.instancePath ?? ''}`, 200), message: describeIssue(v) }));
  const first = details[0];
  const rest = issues.length - 1;
  const detail = first === undefined ? err.message : `${first.path} ${first.message}${rest > 0 ? ` (and ${rest} more problem${rest === 1 ? '' : 's'})` : ''}`;
  return new ApiError('GR_ERR_VALIDATION', detail, details);
}

/** The ApiError a failure stands for. */
export function toApiError(err: FastifyError | Error): ApiError {
  if (err instanceof ApiError) return err;
  const fastifyErr = err as Partial<FastifyError> & Error;
  if (Array.isArray(fastifyErr.validation)) return validationError(fastifyErr);
  const mapped = fastifyErr.code === undefined ? undefined : FASTIFY_CODES[fastifyErr.code];
  if (mapped !== undefined) return new ApiError(mapped, mapped === 'GR_ERR_UNSUPPORTED_MEDIA' ? 'Content-Type must be application/json' : err.message);
  const status = typeof fastifyErr.statusCode === 'number' ? fastifyErr.statusCode : 500;
  if (status === 404) return new ApiError('GR_ERR_NOT_FOUND', err.message);
  if (status === 503) return new ApiError('GR_ERR_UNAVAILABLE', err.message);
  if (status >= 400 && status < 500) return new ApiError('GR_ERR_VALIDATION', err.message);
  return new ApiError('GR_ERR_INTERNAL', 'internal error');
}

export function sendProblem(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.code(error.statusCode).type(PROBLEM_CONTENT_TYPE).send(error.toBody());
}

export function handleError(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(err);
  if (apiError.code === 'GR_ERR_INTERNAL') request.log.error({ err }, 'unhandled error');
  else if (apiError.code === 'GR_ERR_UNAUTHORIZED' || apiError.code === 'GR_ERR_FORBIDDEN') {
    // Who tried, never what they sent: the Authorization header is not logged (see log-redact.ts).
    request.log.warn({ route: request.routeOptions.url, ip: request.ip, code: apiError.code }, 'refused request');
  }
  return sendProblem(reply, apiError);
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // The path only: a query string may carry a token someone pasted (`?token=…`).
  return sendProblem(reply, new ApiError('GR_ERR_NOT_FOUND', `no route ${capText(request.method, 20)} ${capText(pathOf(request.url), 100)}`));
}

type HttpSocket = Socket & { _httpMessage?: { _headerSent?: boolean } | null };

/** A response on this socket has begun: another answer would corrupt it (Node's own default checks the same). */
export function answerAlreadyStarted(socket: Socket): boolean {
  return (socket as HttpSocket)._httpMessage?._headerSent === true;
}

/** A request on this socket still has its response to come. */
function answerPending(socket: Socket): boolean {
  const inFlight = (socket as HttpSocket)._httpMessage;
  return inFlight !== undefined && inFlight !== null;
}

/** How long a client that keeps sending after `Connection: close` has to read the answer before the reset. */
const CLOSED_CONNECTION_GRACE_MS = 1_000;

/**
 * The client kept sending after the server answered `Connection: close`. The answer is already on the
 * wire: no second one (the wire fuzz found a second 400 behind the first), and no reset at once either,
 * which can destroy the answer before the client reads it. The rest is read and dropped, the socket
 * ended, and destroyed a second later whatever the client does.
 */
export function closeAfterAnswer(socket: Socket): void {
  socket.resume();
  socket.end();
  setTimeout(() => socket.destroy(), CLOSED_CONNECTION_GRACE_MS).unref();
}

/**
 * Node's HTTP parser refuses some requests before Fastify has one: the headers or the whole request did
 * not arrive in time (408), the headers are over the limit (431), or they are malformed (400). These
 * answers are written to the socket here, in the catalogue's format, and the connection is closed.
 */
export function handleClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (err.code === 'HPE_CLOSED_CONNECTION') {
    // Bytes after a request that said `Connection: close` (e.g. a DELETE body sent without a length). The
    // request's own answer is pending or already sent: never a second one; Node closes after the first.
    if (!answerPending(socket)) closeAfterAnswer(socket);
    return;
  }
  if (answerAlreadyStarted(socket)) {
    socket.destroy();
    return;
  }
  const answer =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? rawProblemResponse('GR_ERR_REQUEST_TIMEOUT', 'the request (headers and body) did not arrive within the server\'s timeout')
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? rawProblemResponse('GR_ERR_HEADERS_TOO_LARGE', 'the request headers are larger than the server accepts')
        : rawProblemResponse('GR_ERR_VALIDATION', `malformed HTTP request (${capText(err.code ?? 'parse error', 40)})`);
  if (socket.writable) socket.write(answer);
  socket.destroy();
}
