import type { AxiosInstance, AxiosResponse } from 'axios';
import type { Sample } from '../../core/observation.js';
import type { QueryOptions } from '../../ports/metrics-source.js';
import { classifyTransportFailure, isTransientStatus, type TransportFailure } from './failure.js';
import { interpretQueryJson, parseQueryBody, unknown, type ResponseContext } from './response.js';

// One HTTP attempt at /api/v1/query, and how its outcome reads as a sample. Retrying is the metrics
// source's job (metrics-source.ts); this only sends, and never throws: a transport failure is an outcome.

/** What one attempt got: an HTTP answer (any status), or no answer at all. */
export type Exchange =
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly statusText: string;
      readonly bodyText: string;
    }
  | { readonly kind: 'transport'; readonly failure: TransportFailure };

/** `gaveUp`: the last attempt still failed transiently (retries exhausted, or the caller's signal fired). */
export interface ExchangeResult {
  readonly last: Exchange;
  readonly gaveUp: boolean;
}

export interface QueryHttpSettings {
  readonly baseUrl: string;
  readonly http: AxiosInstance;
  readonly timeoutMs: number;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
}

/** Sends `promql` once; any status is an answer, a failure to get one is a transport outcome. */
export async function attemptQuery(
  settings: QueryHttpSettings,
  promql: string,
  opts: QueryOptions,
): Promise<Exchange> {
  const { baseUrl, timeoutMs, method } = settings;
  const callerSignal = opts.signal;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = callerSignal === undefined ? deadline : AbortSignal.any([callerSignal, deadline]);
  const params: Record<string, string> = { query: promql, timeout: String(timeoutMs / 1000) };
  // A tick's queries are evaluated at its scheduled time when given, all at the same instant.
  if (opts.timeMs !== undefined) params['time'] = (opts.timeMs / 1000).toFixed(3);
  let response: AxiosResponse<unknown>;
  try {
    response = await settings.http.request<unknown>({
      url: `${baseUrl}/api/v1/query`,
      method,
      ...(method === 'GET' ? { params } : { data: new URLSearchParams(params).toString() }),
      headers: {
        Accept: 'application/json',
        // Uncompressed: a 1000-target tick's answers are ~520 KB every 15 s, and inflating 14 gzipped
        // answers cost the controller 6-16 ms of CPU per tick (a zlib stream each), Prometheus the deflating.
        'Accept-Encoding': 'identity',
        ...(method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
        ...settings.headers,
      },
      timeout: timeoutMs,
      signal,
      // We judge statuses and parse JSON ourselves: a garbage body must become bad_response, not a throw.
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
    });
  } catch (err) {
    const failure = classifyTransportFailure(err, {
      baseUrl,
      timeoutMs,
      callerAborted: callerSignal?.aborted === true,
      deadlineFired: deadline.aborted,
    });
    return { kind: 'transport', failure };
  }
  const bodyText = typeof response.data === 'string' ? response.data : JSON.stringify(response.data ?? '');
  return { kind: 'answer', status: response.status, statusText: response.statusText, bodyText };
}

/** The sample one exchange gives `promql`. */
export function sampleOfExchange(exchange: Exchange, promql: string, baseUrl: string): Sample {
  if (exchange.kind === 'transport') return unknown(exchange.failure.cause, exchange.failure.reason);
  const ctx: ResponseContext = { baseUrl, promql };
  if (isSuccess(exchange.status)) return parseQueryBody(exchange.bodyText, ctx);
  // Prometheus answers bad PromQL with 400/422 and a JSON status:"error" body: that is query_error.
  const statusText = exchange.statusText ? ` ${exchange.statusText}` : '';
  return (
    prometheusErrorSample(exchange.bodyText, ctx, exchange.status) ??
    unknown(
      'http_error',
      `Prometheus at ${ctx.baseUrl} answered HTTP ${exchange.status}${statusText} for query ${JSON.stringify(promql)}`,
    )
  );
}

export function notQueried(baseUrl: string): Exchange {
  return {
    kind: 'transport',
    failure: { cause: 'unreachable', transient: false, reason: `Prometheus at ${baseUrl} was not queried` },
  };
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** Transient failures (refused/reset connection, timeout, 429, 5xx) are worth another attempt. */
export function isTransient(exchange: Exchange): boolean {
  return exchange.kind === 'transport'
    ? exchange.failure.transient
    : !isSuccess(exchange.status) && isTransientStatus(exchange.status);
}

export function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 160)}...` : flat;
}

function prometheusErrorSample(bodyText: string, ctx: ResponseContext, status: number): Sample | undefined {
  let body: unknown;
  try {
    body = JSON.parse(bodyText) as unknown;
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || !('status' in body) || body.status !== 'error')
    return undefined;
  const sample = interpretQueryJson(body, ctx);
  return sample.kind === 'unknown' ? { ...sample, detail: `${sample.detail} (HTTP ${status})` } : undefined;
}
