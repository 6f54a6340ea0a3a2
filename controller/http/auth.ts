// Bearer-token authentication. Tokens are compared as SHA-256 digests with timingSafeEqual: the digests
// always have equal length, so neither the token's content nor its length leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

export interface AuthConfig {
  /** The operator token (GUARDRAIL_TOKEN): mutating routes, and reads when protectReads is set. */
  readonly token: string;
  /** A separate token for Alertmanager's webhook; when set, it is accepted ONLY on the webhook route. */
  readonly webhookToken?: string;
  /** Require the operator token on GET /api/v1/status, history, policies and operations. */
  readonly protectReads: boolean;
  /** GET /api/v1/dashboard without a token (GUARDRAIL_DASHBOARD_PUBLIC); by default the dashboard's data needs the operator token. */
  readonly dashboardPublic?: boolean;
}

/** Who a token belongs to; it becomes the prefix of the actor recorded for manual operations. */
export type TokenIdentity = 'api-token' | 'webhook-token';

/** What a route accepts: the operator token only, or (webhook) the webhook token and the operator token. */
export type RouteAccess = 'operator' | 'webhook';

/** Every token must be at least this long: a short one is guessable over the network. */
export const MIN_TOKEN_LENGTH = 16;

export function validateAuthConfig(auth: AuthConfig): void {
  if (auth.token.length < MIN_TOKEN_LENGTH) {
    throw new Error(`the API token must be at least ${MIN_TOKEN_LENGTH} characters (set GUARDRAIL_TOKEN)`);
  }
  if (auth.webhookToken !== undefined && auth.webhookToken.length < MIN_TOKEN_LENGTH) {
    throw new Error(`the webhook token must be at least ${MIN_TOKEN_LENGTH} characters`);
  }
  if (auth.webhookToken !== undefined && auth.webhookToken === auth.token) {
    throw new Error('the webhook token must differ from the API token (otherwise it is not a separate credential)');
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function tokensEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The token of an `Authorization: Bearer <token>` header; undefined when absent or another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header);
  return match?.[1];
}

/**
 * Identifies the caller or throws 401/403. The webhook token is a narrower credential: it may post
 * alerts but never override a target or read state, so a leaked Alertmanager config cannot roll back
 * by hand. The operator token also works on the webhook (an operator may replay a payload by hand).
 */
export function authenticate(auth: AuthConfig, header: string | undefined, access: RouteAccess): TokenIdentity {
  if (header === undefined || header === '') {
    throw new ApiError('GR_ERR_UNAUTHORIZED', 'missing Authorization header (expected "Bearer <token>")');
  }
  const token = bearerToken(header);
  if (token === undefined) {
    throw new ApiError('GR_ERR_UNAUTHORIZED', 'unsupported Authorization scheme (expected "Bearer <token>")');
  }
  // Compare against both so the time taken does not depend on which one matched.
  const isOperator = tokensEqual(token, auth.token);
  const isWebhook = auth.webhookToken !== undefined && tokensEqual(token, auth.webhookToken);
  if (isOperator) return 'api-token';
  if (isWebhook) {
    if (access === 'webhook') return 'webhook-token';
    throw new ApiError('GR_ERR_FORBIDDEN', 'the webhook token may only post to /api/v1/webhooks/alertmanager');
  }
  throw new ApiError('GR_ERR_UNAUTHORIZED', 'invalid token');
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on routes that require a token. */
    tokenIdentity?: TokenIdentity;
  }
}

/** A preHandler-style onRequest hook: runs before the body is read, so a 401 never parses a body. */
export function requireToken(auth: AuthConfig, access: RouteAccess) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      request.tokenIdentity = authenticate(auth, request.headers.authorization, access);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'GR_ERR_UNAUTHORIZED') {
        void reply.header('www-authenticate', 'Bearer realm="guardrail"');
      }
      throw err;
    }
  };
}
