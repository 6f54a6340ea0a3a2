// The policy template bench:scale generates N times: the shipped prediction-service policy's rules
// (minRequests guard, five automatic reasons, one veto = 7 queries per tick), each query narrowed to one
// synthetic service by a `service` label. The runtime's Prometheus adapter groups the N copies of each
// rule into one `by (service)` query (controller/adapters/prometheus/grouping.ts) when grouping is on.

export interface RuleShape {
  readonly name: string;
  /** The query of one target's policy. */
  readonly perTarget: (service: string) => string;
}

const ROUTE = 'route=~"/predict.*"';
const sel = (svc: string): string => `service="${svc}",${ROUTE}`;

/**
 * The shipped policy's error ratio, `(sum(5xx) or on() vector(0)) / sum(all)`: its NESTED `or on()
 * vector(0)` cannot be grouped (vector() has no service label).
 */
export const nestedErrorRatio = (s: string): string =>
  `(sum(rate(http_requests_total{${sel(s)},status_code=~"5.."}[1m])) or on() vector(0)) / sum(rate(http_requests_total{${sel(s)}}[1m]))`;

/**
 * The same ratio in a groupable form: `or 0 * rate(all)` gives a service with traffic but no 5xx series an
 * explicit 0 (as `or on() vector(0)` does), and nothing to a service without traffic (its ratio is no_data
 * either way). test/integration/grouping/ checks the two agree on a real Prometheus.
 */
export const groupableErrorRatio = (s: string): string =>
  `sum(rate(http_requests_total{${sel(s)},status_code=~"5.."}[1m]) or 0 * rate(http_requests_total{${sel(s)}}[1m])) / sum(rate(http_requests_total{${sel(s)}}[1m]))`;

export const RULE_SHAPES: readonly RuleShape[] = [
  { name: 'traffic', perTarget: (s) => `sum(increase(http_requests_total{${sel(s)}}[5m]))` },
  { name: 'high-error-rate', perTarget: groupableErrorRatio },
  { name: 'severe-latency', perTarget: (s) => `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${sel(s)}}[1m])))` },
  { name: 'latency-above-slo', perTarget: (s) => `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${sel(s)}}[5m])))` },
  {
    name: 'data-quality',
    perTarget: (s) => `sum(rate(prediction_invalid_input_total{service="${s}"}[5m])) / sum(rate(http_requests_total{${sel(s)}}[5m]))`,
  },
  { name: 'model-not-loaded', perTarget: (s) => `count(model_info{service="${s}",variant="ml"}) or on() vector(0)` },
  { name: 'deploy-in-progress', perTarget: (s) => `count(count by (version) (model_info{service="${s}",variant="ml"}))` },
];

export const QUERIES_PER_POLICY = RULE_SHAPES.length;

function shape(name: string): RuleShape {
  const found = RULE_SHAPES.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no rule shape ${name}`);
  return found;
}

/** A YAML scalar that keeps the PromQL text byte for byte. */
const q = (name: string, svc: string): string => JSON.stringify(shape(name).perTarget(svc));

export function scalePolicyYaml(index: number): string {
  const svc = `svc-${index}`;
  return `name: scale-${index}
target:
  name: ${svc}
  containers: [${svc}]
  variable: MODEL_VARIANT
  normalValue: null
  rollbackValue: baseline
  strategy: recreate
  verify: { port: 8000, healthPath: /health, versionPath: /version, variantField: model_variant, absentVariant: ml, timeout: 60s }
evaluation:
  interval: 15s
  minRequests:
    query: ${q('traffic', svc)}
    min: 100
    window: 5m
slo:
  p95LatencySeconds: 0.8
  errorRatio: 0.05
reasons:
  - name: high-error-rate
    severity: critical
    query: ${q('high-error-rate', svc)}
    above: slo.errorRatio
    for: 5m
  - name: severe-latency
    severity: critical
    query: ${q('severe-latency', svc)}
    above: 5
    for: 1m
  - name: latency-above-slo
    severity: warning
    query: ${q('latency-above-slo', svc)}
    above: slo.p95LatencySeconds
    for: 10m
  - name: data-quality
    severity: warning
    query: ${q('data-quality', svc)}
    above: 0.2
    for: 5m
  - name: model-not-loaded
    severity: critical
    query: ${q('model-not-loaded', svc)}
    below: 1
    unit: count
    for: 1m
    needsTraffic: false
vetoes:
  - name: deploy-in-progress
    query: ${q('deploy-in-progress', svc)}
    above: 1
    unit: count
    needsTraffic: false
    message: two ML model versions are serving
    appliesTo: [high-error-rate]
limits:
  cooldown: 30m
  maxRollbacksPerHour: 2
`;
}
