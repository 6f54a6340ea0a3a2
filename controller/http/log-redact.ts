// pino `redact` paths for the controller's logger. The runtime builds its pino logger with
// `redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' }` so a token can never reach a log line, even
// if someone later logs whole requests or headers. Fastify's default request serializer logs no headers;
// these paths cover the shapes that would (req.headers, headers, raw config objects).
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
];

export const LOG_REDACT_CENSOR = '[redacted]';
