// The Fastify instance type the route files take (pino as the logger, Node's default HTTP server).
import type { FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ControllerPort } from '../ports/controller.js';
import type { AuthConfig } from './auth.js';

export type ApiInstance = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>;

export interface RouteDeps {
  readonly controller: ControllerPort;
  readonly registry: Registry;
  readonly auth: AuthConfig;
  /** ms since epoch; injected so pause expiries are testable. */
  readonly now: () => number;
}
