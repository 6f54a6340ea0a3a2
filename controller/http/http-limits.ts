// The controller API's connection limits, documented in docs/api/webhook-and-limits.md ("Limits and defaults") and measured by
// test/integration/http/server-timeouts.test.ts. Node checks the header and request timeouts only every
// `connectionsCheckingInterval` (30 s by default), and its default headersTimeout (60 s) is longer than
// any requestTimeout below it, so a documented "30 s" used to close at 60–90 s: both are set here, with a
// 250 ms check, so each closes within a second of its value.
import type { ServerOptions } from 'node:http';

export interface HttpTimeouts {
  /** From the connection (or the end of the previous response) to the end of the request's headers. */
  readonly headersMs: number;
  /** From the start of a request to its last body byte; never shorter than headersMs. */
  readonly requestMs: number;
  /** An idle keep-alive connection is closed after this long. Longer than the usual 60 s of a load
   * balancer's idle timeout, and than Prometheus' scrape interval, so the client side closes first. */
  readonly keepAliveMs: number;
}

export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 72_000 };

/** How often Node looks for connections past their header or request timeout. */
export const CONNECTIONS_CHECK_INTERVAL_MS = 250;

/** The longest path parameter the router passes on (an operation id may have 200 characters, a target 128). */
export const MAX_PARAM_LENGTH = 200;

/** Fastify options that set the timeouts on its Node server (Fastify copies two of them over itself). */
export function serverOptions(timeouts: HttpTimeouts): { requestTimeout: number; keepAliveTimeout: number; http: ServerOptions } {
  if (timeouts.headersMs > timeouts.requestMs) throw new Error('headersMs must not exceed requestMs (Node would use the shorter)');
  return {
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    http: {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
    },
  };
}
