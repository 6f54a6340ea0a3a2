// The fault matrix's policy (harness.ts): two reasons on the exporter's gauges, 1 s ticks, `for: 2s`, a
// webhook trigger. Edit it per fault with `startFaultStack({ editPolicy })`.

export function faultPolicy(containers: readonly string[]): string {
  return `name: faults
description: The fault matrix's policy on exporter gauges (test/integration/faults/harness.ts).
target:
  name: faults
  containers: [${containers.join(', ')}]
  variable: MODEL_VARIANT
  normalValue: null
  rollbackValue: baseline
  strategy: recreate
  verify: { port: 8000, healthPath: /health, versionPath: /version, variantField: model_variant, absentVariant: ml, timeout: 20s }
evaluation:
  interval: 1s
  blindAfter: 3
  minRequests: { query: 'sum(max_over_time(fault_requests[1m]))', min: 10, window: 1m }
slo: { p95LatencySeconds: 0.8, errorRatio: 0.05 }
reasons:
  - { name: high-error-rate, severity: critical, query: max(fault_error_ratio), above: slo.errorRatio, for: 2s }
  - { name: latency-above-slo, severity: warning, query: max(fault_p95_seconds), above: slo.p95LatencySeconds, for: 2s }
  - { name: emergency-maintenance, severity: warning, manual: true }
limits: { cooldown: 1m, maxRollbacksPerHour: 5 }
rollforward: { mode: manual }
warnAfter: 1h
warnEvery: 1h
triggers:
  alertmanager:
    - matchers: { alertname: FaultHighErrorRate }
      reason: high-error-rate
`;
}
