import type { Sample, UnknownCause } from '../../core/observation.js';

// Pure interpretation of a Prometheus /api/v1/query answer. No I/O, so every odd shape is unit-tested.
// The rule: exactly one finite number or an UNKNOWN with a specific, human-readable reason. Never pick
// one of several series, never read an empty vector or NaN as 0.

/** How many label sets a several_series detail lists before it says "and N more". */
const MAX_LISTED_SERIES = 5;
const MAX_BODY_EXCERPT = 120;

export interface ResponseContext {
  readonly baseUrl: string;
  readonly promql: string;
}

export function unknown(cause: UnknownCause, detail: string): Sample {
  return { kind: 'unknown', cause, detail };
}

/** Turns the raw body text of an HTTP answer (any status) into a Sample or says it is not the query API. */
export function parseQueryBody(bodyText: string, ctx: ResponseContext): Sample {
  let body: unknown;
  try {
    body = JSON.parse(bodyText) as unknown;
  } catch {
    return unknown('bad_response', `${who(ctx)} answered with a body that is not JSON: ${excerpt(bodyText)}`);
  }
  return interpretQueryJson(body, ctx);
}

export function interpretQueryJson(body: unknown, ctx: ResponseContext): Sample {
  if (!isRecord(body) || (body['status'] !== 'success' && body['status'] !== 'error')) {
    return unknown('bad_response', `${who(ctx)} answered JSON without status "success" or "error": ${excerpt(JSON.stringify(body))}`);
  }
  if (body['status'] === 'error') {
    const errorType = typeof body['errorType'] === 'string' ? body['errorType'] : 'unknown error type';
    const error = typeof body['error'] === 'string' ? body['error'] : 'no error text';
    return unknown('query_error', `${who(ctx)} rejected query ${quote(ctx.promql)}: ${errorType}: ${error}`);
  }
  const data = body['data'];
  if (!isRecord(data) || typeof data['resultType'] !== 'string') {
    return unknown('bad_response', `${who(ctx)} answered status "success" without data.resultType for ${quote(ctx.promql)}`);
  }
  const resultType = data['resultType'];
  const result = data['result'];
  if (resultType === 'scalar') return interpretPair(result, ctx, () => 'scalar');
  if (resultType === 'vector') return interpretVector(result, ctx);
  return unknown(
    'bad_response',
    `query ${quote(ctx.promql)} returned a ${resultType}, where one vector sample or a scalar is expected` +
      (resultType === 'matrix' ? ' (drop the range selector [..] or wrap it in a function such as rate())' : ''),
  );
}

/** The `data.result` of a vector answer (what interpretQueryJson reads once the envelope is checked). */
export function interpretVector(result: unknown, ctx: ResponseContext): Sample {
  if (!Array.isArray(result)) {
    return unknown('bad_response', `${who(ctx)} answered a vector whose result is not a list for ${quote(ctx.promql)}`);
  }
  if (result.length === 0) {
    return unknown('no_data', `query ${quote(ctx.promql)} returned no series (empty vector): no matching data, which is not the same as 0`);
  }
  if (result.length > 1) {
    const labelSets = result.slice(0, MAX_LISTED_SERIES).map((s: unknown) => formatLabels(isRecord(s) ? s['metric'] : undefined));
    const more = result.length > MAX_LISTED_SERIES ? ` and ${result.length - MAX_LISTED_SERIES} more` : '';
    return unknown(
      'several_series',
      `query ${quote(ctx.promql)} returned ${result.length} series where one is expected: ${labelSets.join(', ')}${more}; aggregate it (e.g. sum(...)) or narrow the selector`,
    );
  }
  const only: unknown = result[0];
  if (!isRecord(only)) {
    return unknown('bad_response', `${who(ctx)} answered a vector sample that is not an object for ${quote(ctx.promql)}`);
  }
  // The label text is only needed for a message: built when one is, not for every answer.
  return interpretPair(only['value'], ctx, () => `vector sample ${formatLabels(only['metric'])}`);
}

/** `[unixSeconds, "value"]`, as in both scalar and vector results. */
function interpretPair(pair: unknown, ctx: ResponseContext, what: () => string): Sample {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[1] !== 'string') {
    return unknown('bad_response', `${who(ctx)} answered a ${what()} without a [time, "value"] pair for ${quote(ctx.promql)}`);
  }
  return interpretValueText(pair[1], ctx, what);
}

/** The value text of a `[time, "value"]` pair: one finite number, else why not. */
export function interpretValueText(text: string, ctx: ResponseContext, what: () => string): Sample {
  if (text === 'NaN' || text === '+Inf' || text === '-Inf' || text === 'Inf') {
    return unknown('not_finite', `query ${quote(ctx.promql)} evaluated to ${text} (${what()}); e.g. 0/0 with no requests, or histogram_quantile with no observations`);
  }
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    return unknown('bad_response', `${who(ctx)} answered a ${what()} whose value ${quote(text)} is not a number for ${quote(ctx.promql)}`);
  }
  return { kind: 'value', value };
}

/** `{__name__="x", job="y"}`-style rendering of a series' labels, sorted for stable messages. */
export function formatLabels(metric: unknown): string {
  if (!isRecord(metric)) return '{}';
  const pairs = Object.entries(metric)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `{${pairs.join(', ')}}`;
}

function who(ctx: ResponseContext): string {
  return `Prometheus at ${ctx.baseUrl}`;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > MAX_BODY_EXCERPT ? `${JSON.stringify(flat.slice(0, MAX_BODY_EXCERPT))}...` : JSON.stringify(flat);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
