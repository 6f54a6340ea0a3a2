import autocannon from 'autocannon';

// One autocannon scenario against POST /predict: a fixed rate or as fast as it goes. Percentiles come from
// every response time autocannon reports (end to end, client included).

export interface Scenario {
  readonly name: string;
  readonly overallRate?: number;
  readonly connections: number;
}

export interface ClientFigures {
  readonly rps: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

export async function load(url: string, body: string, scenario: Scenario, seconds: number): Promise<ClientFigures> {
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/predict`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections: scenario.connections,
        duration: seconds,
        ...(scenario.overallRate === undefined ? {} : { overallRate: scenario.overallRate }),
      },
      (err, res) => (err === null || err === undefined ? resolve(res) : reject(err instanceof Error ? err : new Error(String(err)))),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      times.push(responseTime);
    });
  });
  const sorted = Float64Array.from(times).sort();
  return {
    rps: times.length / seconds,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
