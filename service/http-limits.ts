// The service's connection limits (docs/service/running-and-api.md, "Limits"), measured by
// test/integration/http/server-timeouts.test.ts. Node checks header and request timeouts only every
// `connectionsCheckingInterval` (30 s by default) and set no request timeout at all here before: a body
// trickled one byte every 2 s was still open after 100 s. Each value below closes within a second of itself.
// Errors Node's HTTP parser raises before a route runs (timeouts, oversized or malformed headers) are
// answered in the error catalogue's shape (errors.ts) and the connection is closed.
import type { ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from './errors.js';

export const HTTP_TIMEOUTS = {
  /** From the connection (or the end of the previous response) to the end of the request's headers. */
  headersMs: 10_000,
  /** From the start of a request to its last body byte. */
  requestMs: 30_000,
  /** Idle keep-alive connections close after this: longer than a load balancer's usual 60 s. */
  keepAliveMs: 72_000,
} as const;

export const CONNECTIONS_CHECK_INTERVAL_MS = 250;

/** Fastify options that put the timeouts on its Node server (Fastify copies two of them itself). */
export function serverOptions(): { requestTimeout: number; keepAliveTimeout: number; http: ServerOptions } {
  return {
    requestTimeout: HTTP_TIMEOUTS.requestMs,
    keepAliveTimeout: HTTP_TIMEOUTS.keepAliveMs,
    http: {
      headersTimeout: HTTP_TIMEOUTS.headersMs,
      requestTimeout: HTTP_TIMEOUTS.requestMs,
      keepAliveTimeout: HTTP_TIMEOUTS.keepAliveMs,
      connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
    },
  };
}

function rawResponse(status: number, reason: string, code: string, message: string): string {
  const body = JSON.stringify(errorBody(code, message));
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** Fastify's clientErrorHandler: 408, 431 or 400 in the catalogue's shape, then the socket is closed. */
export function handleClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // Bytes after a request that said `Connection: close` (a DELETE body without a length, or more after the
  // answer): no second answer, and no reset before the client has read the first (controller/http/error-handler.ts).
  const inFlight = (socket as Socket & { _httpMessage?: { _headerSent?: boolean } | null })._httpMessage;
  if (err.code === 'HPE_CLOSED_CONNECTION') {
    // Its request's answer is still to come: Node sends it, then closes.
    if (inFlight !== undefined && inFlight !== null) return;
    socket.resume();
    socket.end();
    setTimeout(() => socket.destroy(), 1_000).unref();
    return;
  }
  // A response begun on this socket: another answer would corrupt it (Node's own default checks the same).
  if (inFlight?._headerSent === true) {
    socket.destroy();
    return;
  }
  const answer =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? rawResponse(408, 'Request Timeout', 'REQUEST_TIMEOUT', "the request (headers and body) did not arrive within the server's timeout")
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? rawResponse(431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'the request headers are larger than the server accepts')
        : rawResponse(400, 'Bad Request', 'BAD_REQUEST', `malformed HTTP request (${(err.code ?? 'parse error').slice(0, 40)})`);
  if (socket.writable) socket.write(answer);
  socket.destroy();
}

/** The URL as the service may log it: the path, and `?[redacted]` for any query string. */
export function redactedUrl(url: string): string {
  const at = url.indexOf('?');
  const path = (at === -1 ? url : url.slice(0, at)).slice(0, 200);
  return at === -1 ? path : `${path}?[redacted]`;
}
