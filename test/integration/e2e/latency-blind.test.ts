// End to end on real Docker, one compose stack (api + Prometheus + Alertmanager + the controller
// container; the policy targets the api alone) whose ML model answers every prediction 1.5 s late
// (FAULT_ML_LATENCY_MS=1500, P95 far above the 0.8 s SLO):
//   - with Prometheus stopped, the fault is live but nothing is rolled back and the "blind" WARNING is raised;
//   - once Prometheus is back, the P95 breach rolls the api back to the baseline by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImagesOnce, sleep, waitFor } from './e2e-compose.js';
import { E2E_TIMING } from './e2e-policy.js';
import { E2eStack, versionAt } from './e2e-stack.js';
import { PREDICT_BODY, startHostTraffic, type HostTraffic } from './e2e-traffic.js';

const SERVICES = ['api', 'prometheus', 'alertmanager', 'controller', 'front-door'];
const LATENCY_MS = 1_500;
const SCRAPE_INTERVAL_S = 5;

let stack: E2eStack | undefined;
let traffic: HostTraffic | undefined;

function theStack(): E2eStack {
  if (stack === undefined) throw new Error('the stack did not start');
  return stack;
}

async function promUp(s: E2eStack): Promise<boolean> {
  const query = encodeURIComponent('up{job="prediction-service"} == 1');
  const response = await fetch(`${s.url.prometheus}/api/v1/query?query=${query}`, { signal: AbortSignal.timeout(3_000) });
  const body = (await response.json()) as { data: { result: unknown[] } };
  return body.data.result.length > 0;
}

beforeAll(async () => {
  await buildImagesOnce();
  stack = await E2eStack.create({
    name: 'latency',
    services: SERVICES,
    policy: { services: ['api'] },
    env: { FAULT_ML_LATENCY_MS: String(LATENCY_MS) },
  });
  await stack.waitReady();
}, 420_000);

afterAll(async () => {
  await traffic?.stop();
  await stack?.down();
}, 150_000);

describe('a P95 latency fault on the compose stack', () => {
  it('with Prometheus stopped: rolls nothing back and raises the blind WARNING', async () => {
    const s = theStack();
    const stopRequestedAtMs = Date.now();
    await s.compose(['stop', '--timeout', '3', 'prometheus']);
    const stoppedAtMs = Date.now();
    // 10 requests/s, each 1.5 s late: the fault is live, Guardrail just cannot see it.
    traffic = startHostTraffic(s.url.api, 100);

    const blind = await waitFor('GuardrailBlind in Alertmanager', 60_000, async () => {
      const alerts = await s.alertmanagerAlerts('GuardrailBlind');
      return alerts.length > 0 ? alerts : undefined;
    });
    const blindAfterS = (Date.now() - stopRequestedAtMs) / 1000;
    expect(blind[0]?.labels).toMatchObject({ severity: 'warning', target: 'prediction-service' });
    // Every query now fails for want of Prometheus, not only those on series this stack lacks (see below).
    const blindView = await waitFor('every verdict UNKNOWN unreachable', 30_000, async () => {
      const st = await s.targetStatus();
      const verdicts = st.lastEvaluation?.verdicts ?? [];
      return verdicts.length > 0 && verdicts.every((v) => v.status === 'unknown' && v.cause === 'unreachable') ? st : undefined;
    });
    expect(blindView.phase).toBe('watching');

    // Stay blind for longer than a breach would need to roll back (window + for + two ticks).
    const holdUntil = stoppedAtMs + (E2E_TIMING.windowS + E2E_TIMING.forS + 2 * E2E_TIMING.intervalS) * 1000;
    await sleep(Math.max(0, holdUntil - Date.now()));
    const status = await s.targetStatus();
    expect(status.phase).toBe('watching');
    expect(status.rollback).toBeNull();
    expect(status.lastEvaluation?.verdicts.every((v) => v.status === 'unknown' && v.cause === 'unreachable')).toBe(true);
    expect(await s.history()).toEqual([]);
    expect((await versionAt(s.url.api)).model_variant).toBe('ml');
    expect(traffic.counts().byStatus['200'] ?? 0).toBeGreaterThan(0);
    // The time to GuardrailBlind is not the blindAfter delay here: in this api-only stack some of the
    // policy's queries (the consumer's lag, invalid inputs before the first one) have no series, and their
    // `no_data` already counts as blind before Prometheus stops. test/integration/runtime/blind.test.ts
    // measures the delay itself.
    process.stdout.write(`e2e latency-blind: GuardrailBlind in Alertmanager ${blindAfterS.toFixed(1)} s after "compose stop prometheus" began (it took ${((stoppedAtMs - stopRequestedAtMs) / 1000).toFixed(1)} s; alert: ${(blind[0]?.annotations?.['description'] ?? '').slice(0, 160)}…); no switch in ${((Date.now() - stoppedAtMs) / 1000).toFixed(1)} s blind\n`);
  });

  it('with Prometheus back: the P95 breach rolls the api back to the baseline', async () => {
    const s = theStack();
    await s.compose(['start', 'prometheus']);
    await waitFor('Prometheus scraping the api again', 60_000, async () => ((await promUp(s)) ? true : undefined));
    const visibleAtMs = Date.now();
    const version = await waitFor('api /version baseline', 90_000, async () => {
      const v = await versionAt(s.url.api);
      return v.model_variant === 'baseline' ? v : undefined;
    });
    expect(version.model_version).toMatch(/^baseline-/);
    const entry = await waitFor('the rollback recorded as succeeded', 60_000, async () => {
      const [latest] = await s.history();
      return latest?.result === 'succeeded' ? latest : undefined;
    });
    expect(entry).toMatchObject({ action: 'rollback', trigger: { kind: 'automatic' }, reason: 'latency-above-slo' });
    const decidedAfterS = (Date.parse(entry.startedAt) - visibleAtMs) / 1000;
    const allowedS = E2E_TIMING.windowS + E2E_TIMING.forS + 2 * E2E_TIMING.intervalS + SCRAPE_INTERVAL_S;
    process.stdout.write(`e2e latency-blind: latency rollback decided ${decidedAfterS.toFixed(1)} s after Prometheus scraped the api again (allowed ${allowedS} s)\n`);
    expect(decidedAfterS).toBeLessThanOrEqual(allowedS);
    // The baseline ignores the ML fault: predictions are fast again.
    const predictStart = Date.now();
    const predict = await fetch(`${s.url.api}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: PREDICT_BODY,
      signal: AbortSignal.timeout(5_000),
    });
    expect(predict.status).toBe(200);
    expect(Date.now() - predictStart).toBeLessThan(LATENCY_MS);
  });
});
