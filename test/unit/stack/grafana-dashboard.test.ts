// The Grafana dashboard cannot be loaded into a Grafana here (no image), so this checks what a broken
// dashboard would get wrong: JSON, panel layout, datasource, and that every query parses and asks for
// metrics the service, consumer and controller really export.
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { knownMetricNames, parsePromql, readRepoFile } from './stack-files.js';

interface Target {
  readonly expr?: string;
  readonly refId?: string;
  readonly datasource?: { uid?: string };
}
interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { x: number; y: number; w: number; h: number };
  readonly datasource?: { uid?: string };
  readonly targets?: Target[];
}
interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: Panel[];
  readonly templating: { list: { name: string; type: string; query: { query: string }; includeAll?: boolean; multi?: boolean }[] };
  readonly annotations: { list: { name: string; expr?: string; datasource?: { uid?: string }; titleFormat?: string }[] };
}

const dashboard = JSON.parse(readRepoFile('docker/grafana/dashboards/guardrail.json')) as Dashboard;
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
const exprs = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? '' })));

describe('Grafana dashboard docker/grafana/dashboards/guardrail.json', () => {
  it('is a dashboard with a stable uid, unique panel ids and panels inside the 24-column grid', () => {
    expect(dashboard.uid).toBe('guardrail-overview');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      expect(p.gridPos.w * p.gridPos.h, p.title).toBeGreaterThan(0);
    }
    expect(queryPanels.length).toBeGreaterThanOrEqual(8);
  });

  it('uses the provisioned Prometheus datasource in every panel and query', () => {
    const provisioned = parseYaml(readRepoFile('docker/grafana/provisioning/datasources/prometheus.yaml')) as {
      datasources: { uid: string; url: string }[];
    };
    const uid = provisioned.datasources[0]?.uid;
    expect(uid).toBe('guardrail-prometheus');
    expect(provisioned.datasources[0]?.url).toBe('http://prometheus:9090');
    for (const p of queryPanels) {
      expect(p.datasource?.uid, p.title).toBe(uid);
      for (const t of p.targets ?? []) expect(t.datasource?.uid, `${p.title} ${t.refId ?? ''}`).toBe(uid);
    }
  });

  it('has queries that parse as PromQL and name only metrics the code registers', () => {
    const known = knownMetricNames();
    expect(exprs.length).toBeGreaterThanOrEqual(12);
    for (const { panel, expr } of exprs) {
      const parsed = parsePromql(expr);
      expect(parsed.errors, `${panel}: ${expr}`).toBe(0);
      for (const metric of parsed.metrics) expect(known.has(metric), `${panel}: unknown metric ${metric}`).toBe(true);
    }
  });

  it('shows error rate, P95 against the SLO, predictions by variant and the rollback state', () => {
    const used = new Set(exprs.flatMap(({ expr }) => parsePromql(expr).metrics));
    for (const metric of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'model_predictions_total',
      'guardrail_rollback_active',
      'guardrail_actuation_duration_seconds_bucket',
      'guardrail_rollbacks_total',
    ]) {
      expect(used.has(metric), metric).toBe(true);
    }
    // The SLO lines are drawn at the thresholds docs/slo.md and the policy use.
    const all = exprs.map(({ expr }) => expr).join('\n');
    expect(all).toContain('vector(0.05)');
    expect(all).toContain('vector(0.8)');
  });

  it('has a $target variable from the controller\'s targets, and every per-target controller query is scoped by it', () => {
    const variable = dashboard.templating.list.find((v) => v.name === 'target');
    expect(variable).toMatchObject({ type: 'query', includeAll: true, multi: true });
    const query = variable?.query.query ?? '';
    expect(query).toMatch(/^label_values\((guardrail_\w+), target\)$/);
    expect(knownMetricNames().has(query.replace(/^label_values\((\w+),.*$/, '$1'))).toBe(true);
    const perTarget = /guardrail_(rollbacks_total|rollback_active|evaluation_errors_total|actuation_duration_seconds_\w+|target_phase|condition_\w+)(\{[^}]*\})?/g;
    for (const { panel, expr } of exprs) {
      for (const m of expr.matchAll(perTarget)) expect(m[2] ?? '', `${panel}: ${m[0]}`).toContain('target=~"$target"');
    }
  });

  it('draws the condition evidence: value against threshold, verdict and `for` progress', () => {
    const used = new Set(exprs.flatMap(({ expr }) => parsePromql(expr).metrics));
    for (const metric of [
      'guardrail_condition_value',
      'guardrail_condition_threshold',
      'guardrail_condition_state',
      'guardrail_condition_sustained_seconds',
      'guardrail_condition_for_seconds',
      'guardrail_build_info',
      'process_resident_memory_bytes',
    ]) {
      expect(used.has(metric), metric).toBe(true);
    }
  });

  it('annotates rollbacks from guardrail_rollbacks_total on the provisioned datasource', () => {
    const rollbacks = dashboard.annotations.list.filter((a) => a.expr !== undefined);
    expect(rollbacks).toHaveLength(1);
    const expr = rollbacks[0]?.expr ?? '';
    const parsed = parsePromql(expr);
    expect(parsed.errors, expr).toBe(0);
    expect(parsed.metrics).toEqual(['guardrail_rollbacks_total']);
    expect(expr).toContain('target=~"$target"');
    expect(rollbacks[0]?.datasource?.uid).toBe('guardrail-prometheus');
    expect(rollbacks[0]?.titleFormat).toContain('{{target}}');
  });
});
