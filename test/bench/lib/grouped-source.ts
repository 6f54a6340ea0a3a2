import type { Sample } from '../../../controller/core/index.js';
import type { MetricsSource, QueryOptions } from '../../../controller/ports/metrics-source.js';
import { RULE_SHAPES, type RuleShape } from './scale-policy.js';

// A prototype of query batching for bench:scale, behind the unchanged MetricsSource port so the real
// runtime tick runs on top of it: at the first query of a tick it runs each rule shape's grouped query
// ONCE (`... by (service)`), then answers every target's own query from those results. A query it does not
// recognise goes to the wrapped per-target source (counted as a fallback). Call beginTick() before each
// tick so a tick never reads the previous one's numbers.

interface Key {
  readonly shape: RuleShape;
  readonly service: string;
}

interface VectorResponse {
  readonly status: string;
  readonly data?: { readonly result?: readonly { readonly metric: Record<string, string>; readonly value: readonly [number, string] }[] };
  readonly error?: string;
}

export class GroupedSource implements MetricsSource {
  groupedQueries = 0;
  fallbacks = 0;
  private readonly keys = new Map<string, Key>();
  private readonly inner: MetricsSource;
  private readonly baseUrl: string;
  private current: Promise<Map<string, Map<string, Sample>>> | undefined;

  constructor(options: { baseUrl: string; inner: MetricsSource; services: readonly string[] }) {
    this.baseUrl = options.baseUrl;
    this.inner = options.inner;
    for (const service of options.services) for (const shape of RULE_SHAPES) this.keys.set(shape.perTarget(service), { shape, service });
  }

  beginTick(): void {
    this.current = undefined;
  }

  async query(promql: string, opts?: QueryOptions): Promise<Sample> {
    const key = this.keys.get(promql);
    if (key === undefined) {
      this.fallbacks += 1;
      return this.inner.query(promql, opts);
    }
    this.current ??= this.fetchAll(opts);
    const byService = (await this.current).get(key.shape.name);
    const found = byService?.get(key.service);
    if (found !== undefined) return found;
    if (byService === undefined) return { kind: 'unknown', cause: 'bad_response', detail: `grouped ${key.shape.name} failed` };
    return key.shape.whenAbsent === 'no_data'
      ? { kind: 'unknown', cause: 'no_data', detail: `no series for service ${key.service}` }
      : { kind: 'value', value: key.shape.whenAbsent };
  }

  queryAll(promqls: readonly string[], opts?: QueryOptions): Promise<Sample[]> {
    return Promise.all(promqls.map((p) => this.query(p, opts)));
  }

  isReachable(opts?: QueryOptions): Promise<boolean> {
    return this.inner.isReachable(opts);
  }

  private async fetchAll(opts?: QueryOptions): Promise<Map<string, Map<string, Sample>>> {
    const results = new Map<string, Map<string, Sample>>();
    await Promise.all(
      RULE_SHAPES.map(async (shape) => {
        this.groupedQueries += 1;
        const url = `${this.baseUrl}/api/v1/query?${new URLSearchParams({ query: shape.grouped })}`;
        const res = await fetch(url, { signal: opts?.signal ?? AbortSignal.timeout(10_000) }).catch(() => undefined);
        const body = res === undefined ? undefined : ((await res.json().catch(() => undefined)) as VectorResponse | undefined);
        if (body?.status !== 'success') return; // every target of this shape reads UNKNOWN
        const byService = new Map<string, Sample>();
        for (const series of body.data?.result ?? []) {
          const service = series.metric['service'];
          if (service === undefined) continue;
          const value = Number(series.value[1]);
          byService.set(
            service,
            Number.isFinite(value) ? { kind: 'value', value } : { kind: 'unknown', cause: 'not_finite', detail: `${shape.name} = ${series.value[1]}` },
          );
        }
        results.set(shape.name, byService);
      }),
    );
    return results;
  }
}
