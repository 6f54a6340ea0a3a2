// What the controller's logs may contain of a request. The runtime builds its pino logger with
// `redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' }` so a token can never reach a log line, even
// if someone later logs whole requests or headers. Fastify's default request serializer logs no headers,
// but it logs the URL with its query string: `?token=…` (refused, yet sent) would be written verbatim, so
// the API logs requests with requestLogSerializers: the path, and `?[redacted]` for any query string.
import type { FastifyRequest } from 'fastify';
import { capText } from '../core/display-text.js';

export const LOG_REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'request.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  'webhookToken',
  'auth.token',
  'auth.webhookToken',
  'config.token',
  'config.webhookToken',
  'alertmanagerPassword',
  'config.alerts.alertmanagerPassword',
];

export const LOG_REDACT_CENSOR = '[redacted]';

/** The URL without its query string. */
export function pathOf(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : url.slice(0, at);
}

/** The URL as it may be logged: the path (capped), and `?[redacted]` in place of any query string. */
export function redactedUrl(url: string): string {
  const path = capText(pathOf(url), 200);
  return url.includes('?') ? `${path}?${LOG_REDACT_CENSOR}` : path;
}

/** pino serializers for Fastify's request log lines (`incoming request` and errors with `req`). */
export const requestLogSerializers = {
  req(request: FastifyRequest): Record<string, unknown> {
    return {
      method: request.method,
      url: redactedUrl(request.url),
      host: request.host,
      remoteAddress: request.ip,
      remotePort: request.socket?.remotePort,
    };
  },
};
