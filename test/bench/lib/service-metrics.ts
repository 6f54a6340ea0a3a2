// bench:service reads the services' own Prometheus histograms before and after each scenario, so it can
// report server-side means and an inference P95 for that scenario alone (the client's queueing does not
// inflate them). A histogram is read as Prometheus would: summed over the series that match, the P95
// interpolated linearly inside its bucket, as histogram_quantile() does.

export interface HistogramReading {
  readonly sum: number;
  readonly count: number;
  /** Cumulative counts by upper bound, ascending; the last is +Inf. */
  readonly buckets: readonly (readonly [number, number])[];
}

const EMPTY: HistogramReading = { sum: 0, count: 0, buckets: [] };

/** `name`'s series whose labels contain `filter` (e.g. `route="/predict"`; '' for all), summed. */
export function readHistogram(text: string, name: string, filter: string): HistogramReading {
  let sum = 0;
  let count = 0;
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    // Labels are optional: an unlabelled histogram's _sum and _count lines have none.
    const match = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (match === null || !(match[2] ?? '').includes(filter)) continue;
    const [, metric, labels = '', value] = match;
    if (metric === `${name}_sum`) sum += Number(value);
    else if (metric === `${name}_count`) count += Number(value);
    else if (metric === `${name}_bucket`) {
      const le = /le="([^"]+)"/.exec(labels)?.[1];
      const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
      buckets.set(bound, (buckets.get(bound) ?? 0) + Number(value));
    }
  }
  return { sum, count, buckets: [...buckets].sort((a, b) => a[0] - b[0]) };
}

/** What was observed between two readings of the same histogram. */
export function difference(after: HistogramReading, before: HistogramReading): HistogramReading {
  const earlier = new Map(before.buckets);
  return {
    sum: after.sum - before.sum,
    count: after.count - before.count,
    buckets: after.buckets.map(([bound, n]) => [bound, n - (earlier.get(bound) ?? 0)] as const),
  };
}

export function mean(h: HistogramReading): number {
  return h.count > 0 ? h.sum / h.count : Number.NaN;
}

/** histogram_quantile(q, ...): linear inside the bucket; the highest finite bound if it falls in +Inf. */
export function quantile(h: HistogramReading, q: number): number {
  const total = h.buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, cumulative] of h.buckets) {
    if (cumulative >= rank) {
      if (!Number.isFinite(bound)) return lowerBound;
      return lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / Math.max(cumulative - lowerCount, 1e-12);
    }
    lowerBound = bound;
    lowerCount = cumulative;
  }
  return lowerBound;
}

/** A counter's series whose labels contain `filter`, summed. */
export function readCounter(text: string, name: string, filter: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (match?.[1] === name && (match[2] ?? '').includes(filter)) total += Number(match[3]);
  }
  return total;
}

/** What a mirroring service (SHADOW_URL set) counted: outcomes, drops, agreement, the candidate's latency. */
export interface ShadowReading {
  readonly counts: Readonly<Record<'ok' | 'error' | 'timeout' | 'unreachable' | 'dropped' | 'agree' | 'differ', number>>;
  readonly duration: HistogramReading;
}

function readShadow(text: string): ShadowReading | undefined {
  if (!text.includes('\nshadow_info{')) return undefined;
  const outcome = (o: string): number => readCounter(text, 'shadow_requests_total', `outcome="${o}"`);
  const agreement = (a: string): number => readCounter(text, 'shadow_predictions_total', `agreement="${a}"`);
  return {
    counts: {
      ok: outcome('ok'),
      error: outcome('error'),
      timeout: outcome('timeout'),
      unreachable: outcome('unreachable'),
      dropped: readCounter(text, 'shadow_dropped_total', 'reason="queue_full"'),
      agree: agreement('agree'),
      differ: agreement('differ'),
    },
    duration: readHistogram(text, 'shadow_request_duration_seconds', ''),
  };
}

export interface ServerReadings {
  readonly request: HistogramReading;
  readonly inference: HistogramReading;
  /** Only from a service that mirrors to a shadow candidate. */
  readonly shadow?: ShadowReading | undefined;
}

/** The service's request (route /predict) and inference histograms; empty when it has none (the peer's inference). */
export async function readServer(url: string): Promise<ServerReadings> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return {
    request: readHistogram(text, 'http_request_duration_seconds', 'route="/predict"'),
    inference: text.includes('model_inference_duration_seconds') ? readHistogram(text, 'model_inference_duration_seconds', '') : EMPTY,
    shadow: readShadow(text),
  };
}

function shadowDifference(after: ShadowReading | undefined, before: ShadowReading | undefined): ShadowReading | undefined {
  if (after === undefined || before === undefined) return undefined;
  const counts = Object.fromEntries(Object.entries(after.counts).map(([k, v]) => [k, v - (before.counts[k as keyof ShadowReading['counts']] ?? 0)]));
  return { counts: counts as ShadowReading['counts'], duration: difference(after.duration, before.duration) };
}

export function serverDifference(after: ServerReadings, before: ServerReadings): ServerReadings {
  return {
    request: difference(after.request, before.request),
    inference: difference(after.inference, before.inference),
    shadow: shadowDifference(after.shadow, before.shadow),
  };
}
