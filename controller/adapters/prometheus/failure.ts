import { isAxiosError } from 'axios';
import type { UnknownCause } from '../../core/observation.js';

// Classifies a transport-level failure (no HTTP answer at all) of one query attempt. Only causes that can
// go away by themselves within a tick (refused/reset connection, timeout) are `transient` and retried.

export interface TransportFailure {
  readonly cause: Extract<UnknownCause, 'unreachable' | 'timeout'>;
  readonly transient: boolean;
  readonly reason: string;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

export interface FailureContext {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  /** True when the caller's own signal fired: that is not retried. */
  readonly callerAborted: boolean;
  /** True when our per-attempt deadline fired. */
  readonly deadlineFired: boolean;
}

export function classifyTransportFailure(err: unknown, ctx: FailureContext): TransportFailure {
  const code = errorCode(err);
  if (ctx.callerAborted) {
    return { cause: 'timeout', transient: false, reason: `the query to Prometheus at ${ctx.baseUrl} was cancelled by its caller (tick deadline or shutdown)` };
  }
  if (ctx.deadlineFired || code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED') {
    return { cause: 'timeout', transient: true, reason: `Prometheus at ${ctx.baseUrl} did not answer within ${ctx.timeoutMs} ms` };
  }
  const message = err instanceof Error ? err.message : String(err);
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return { cause: 'unreachable', transient: true, reason: `Prometheus at ${ctx.baseUrl} is unreachable (${code}: ${message})` };
  }
  if (/socket hang up/i.test(message)) {
    return { cause: 'unreachable', transient: true, reason: `Prometheus at ${ctx.baseUrl} closed the connection without answering (${message})` };
  }
  // Anything else (invalid URL, TLS setup, a bug in a proxy) will not heal in a few hundred ms.
  return { cause: 'unreachable', transient: false, reason: `Prometheus at ${ctx.baseUrl} could not be queried (${code ?? 'no error code'}: ${message})` };
}

function errorCode(err: unknown): string | undefined {
  if (isAxiosError(err)) {
    if (err.code !== undefined) return err.code;
    const cause: unknown = err.cause;
    if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') return cause.code;
    return undefined;
  }
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/** 429 and 5xx answers may succeed on the next attempt; other statuses will not. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}
