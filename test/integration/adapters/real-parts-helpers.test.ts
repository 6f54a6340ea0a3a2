import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpRecorder, type HttpRecorder } from '../../helpers/http-recorder.js';
import { startMetricsExporter, type MetricsExporter } from '../../helpers/metrics-exporter.js';
import { startAlertmanager, type RealAlertmanager } from '../../helpers/real-alertmanager.js';
import { startPrometheus, type RealPrometheus, type VectorSample } from '../../helpers/real-prometheus.js';

// Checks the test helpers themselves against the real binaries, so other test files can trust them.

describe('startPrometheus + startMetricsExporter', () => {
  let exporter: MetricsExporter;
  let prometheus: RealPrometheus;

  beforeAll(async () => {
    exporter = await startMetricsExporter([{ name: 'helper_gauge', labels: { side: 'a' }, value: 42.5 }]);
    prometheus = await startPrometheus({ scrapeTargets: [exporter.target] });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
  });

  it('scrapes the exporter and answers instant queries with the exported value', async () => {
    const response = await prometheus.waitForSample('helper_gauge', 20_000);
    const result = response.data?.result as VectorSample[];
    expect(result).toHaveLength(1);
    expect(result[0]?.metric).toMatchObject({ __name__: 'helper_gauge', side: 'a', job: 'targets' });
    expect(result[0]?.value[1]).toBe('42.5');
  });

  it('returns status:error for bad PromQL instead of throwing', async () => {
    const response = await prometheus.query('sum(');
    expect(response.status).toBe('error');
    expect(response.errorType).toBe('bad_data');
  });

  it('listens on a loopback ephemeral port, not 9090', () => {
    expect(prometheus.url).toBe(`http://127.0.0.1:${prometheus.port}`);
    expect(prometheus.port).not.toBe(9090);
  });
});

describe('startAlertmanager + startHttpRecorder', () => {
  let recorder: HttpRecorder;
  let alertmanager: RealAlertmanager;

  beforeAll(async () => {
    recorder = await startHttpRecorder();
    alertmanager = await startAlertmanager({ webhookUrl: `${recorder.url}/hook`, bearerToken: 'helper-token' });
  });
  afterAll(async () => {
    await alertmanager?.stop();
    await recorder?.stop();
  });

  it('accepts a posted alert, lists it, and routes it to the webhook with the bearer token', async () => {
    const res = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname: 'HelperCheck', severity: 'info' }, annotations: { summary: 'hi' } }]),
    });
    expect(res.status).toBe(200);

    const listed = await alertmanager.alerts();
    expect(listed.map((a) => a.labels['alertname'])).toContain('HelperCheck');

    const delivered = await recorder.waitFor((r) => r.path === '/hook', 10_000);
    expect(delivered.headers.authorization).toBe('Bearer helper-token');
    const body = delivered.json as { version: string; alerts: { labels: Record<string, string> }[] };
    expect(body.version).toBe('4');
    expect(body.alerts[0]?.labels['alertname']).toBe('HelperCheck');
  });
});

describe('startPrometheus with ruleFiles and alertmanagerUrl', () => {
  let recorder: HttpRecorder;
  let alertmanager: RealAlertmanager;
  let prometheus: RealPrometheus;

  beforeAll(async () => {
    recorder = await startHttpRecorder();
    alertmanager = await startAlertmanager({ webhookUrl: `${recorder.url}/from-rules` });
    prometheus = await startPrometheus({
      scrapeTargets: [],
      alertmanagerUrl: alertmanager.url,
      ruleFiles: [
        'groups:',
        '  - name: helper',
        '    rules:',
        '      - alert: HelperRuleFires',
        '        expr: vector(1) > 0',
        '        for: 0s',
        '        labels: { severity: critical }',
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await recorder?.stop();
  });

  it('evaluates the rule and delivers its alert through Alertmanager to the webhook', async () => {
    const delivered = await recorder.waitFor((r) => r.path === '/from-rules', 20_000);
    const body = delivered.json as { alerts: { labels: Record<string, string> }[] };
    expect(body.alerts[0]?.labels).toMatchObject({ alertname: 'HelperRuleFires', severity: 'critical' });
    const alertsQuery = await prometheus.query('ALERTS{alertname="HelperRuleFires", alertstate="firing"}');
    expect(alertsQuery.data?.result).toHaveLength(1);
  });
});
