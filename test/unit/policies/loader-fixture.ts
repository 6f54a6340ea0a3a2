// A small valid policy, one line per array entry, so tests can replace line N and know positions.
export const BASE_LINES: readonly string[] = [
  'name: t', // 1
  'target:', // 2
  '  name: t', // 3
  '  containers: [api]', // 4
  '  variable: MODEL_VARIANT', // 5
  '  rollbackValue: baseline', // 6
  '  strategy: recreate', // 7
  '  verify:', // 8
  '    port: 8000', // 9
  '    healthPath: /health', // 10
  '    versionPath: /version', // 11
  '    variantField: model_variant', // 12
  '    timeout: 30s', // 13
  'evaluation:', // 14
  '  interval: 15s', // 15
  '  minRequests:', // 16
  '    query: sum(increase(http_requests_total[5m]))', // 17
  '    min: 100', // 18
  '    window: 5m', // 19
  'slo:', // 20
  '  p95LatencySeconds: 0.8', // 21
  '  errorRatio: 0.05', // 22
  'reasons:', // 23
  '  - name: errors', // 24
  '    severity: critical', // 25
  '    query: sum(rate(http_requests_total{status_code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))', // 26
  '    above: 0.05', // 27
  '    for: 5m', // 28
  '  - name: latency', // 29
  '    severity: warning', // 30
  '    query: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))', // 31
  '    above: 0.8', // 32
  '    for: 10m', // 33
  'triggers:', // 34
  '  alertmanager:', // 35
  '    - matchers: { alertname: HighErrors }', // 36
  '      reason: errors', // 37
];

/** The base policy with 1-based line `n` replaced by `text` (which may hold several lines). */
export function policyWith(replacements: Readonly<Record<number, string>> = {}): string {
  return `${BASE_LINES.map((line, i) => replacements[i + 1] ?? line).join('\n')}\n`;
}
