// When did a PromQL expression first cross a threshold, as Prometheus itself computes it: a range query
// at 1 s steps over the stored samples, after the fact, independent of when anyone evaluated it.

interface RangeResponse {
  readonly status: string;
  readonly data?: { readonly result?: readonly { readonly values: readonly (readonly [number, string])[] }[] };
}

/** Epoch ms of the first step in [fromMs, toMs] where `promql` > `threshold`; undefined if none. */
export async function firstTimeAbove(baseUrl: string, promql: string, threshold: number, fromMs: number, toMs: number): Promise<number | undefined> {
  const params = new URLSearchParams({ query: promql, start: String(Math.floor(fromMs / 1000)), end: String(Math.ceil(toMs / 1000)), step: '1' });
  const res = await fetch(`${baseUrl}/api/v1/query_range?${params}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as RangeResponse;
  if (body.status !== 'success') throw new Error(`query_range failed: ${JSON.stringify(body).slice(0, 300)}`);
  const values = body.data?.result?.[0]?.values ?? [];
  const first = values.find(([, v]) => Number(v) > threshold);
  return first === undefined ? undefined : first[0] * 1000;
}

/**
 * Epoch ms at which `promql` > `threshold` had held without a break for `forMs` (1 s steps): the moment a
 * rule with that `for` should fire. A dip under the threshold after the first crossing restarts the count,
 * as it restarts a `for` timer. Undefined if it never held that long in [fromMs, toMs].
 */
export async function heldAboveFor(baseUrl: string, promql: string, threshold: number, forMs: number, fromMs: number, toMs: number): Promise<number | undefined> {
  const params = new URLSearchParams({ query: promql, start: String(Math.floor(fromMs / 1000)), end: String(Math.ceil(toMs / 1000)), step: '1' });
  const res = await fetch(`${baseUrl}/api/v1/query_range?${params}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as RangeResponse;
  if (body.status !== 'success') throw new Error(`query_range failed: ${JSON.stringify(body).slice(0, 300)}`);
  let since: number | undefined;
  for (const [t, v] of body.data?.result?.[0]?.values ?? []) {
    if (!(Number(v) > threshold)) {
      since = undefined;
      continue;
    }
    since ??= t * 1000;
    if (t * 1000 - since >= forMs) return since + forMs;
  }
  return undefined;
}
