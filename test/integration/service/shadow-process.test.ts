// The compiled service with SHADOW_URL: a baseline process mirrors to a real ML process, pairs their
// predictions in its /metrics, keeps serving when the candidate dies, and still stops cleanly; a bad
// SHADOW_* value stops it at start with exit code 2 and a line naming the variable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildService, startService, type ServiceProcess } from './service-process.js';

const started: ServiceProcess[] = [];
const run = (env: Record<string, string>): ServiceProcess => {
  const service = startService({ SHUTDOWN_DRAIN_MS: '0', ...env });
  started.push(service);
  return service;
};
const messages = (s: ServiceProcess): string[] => s.logs().map((l) => String(l['msg'] ?? l['raw']));
const INSTANCE = { price: 50_000, midprice: 50_001, return_1s: 0.001, return_5s: -0.002, volatility: 0.0004 };

async function post(url: string, route: string, body: unknown): Promise<number> {
  const res = await fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.text();
  return res.status;
}

async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

describe('the service process mirroring to a shadow candidate', () => {
  beforeAll(async () => {
    await buildService();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(started.splice(0).map((s) => s.kill()));
  });

  it('mirrors to a real ML process, pairs predictions, survives the candidate dying, and stops cleanly', async () => {
    const candidate = run({ MODEL_VARIANT: 'ml' });
    const candidateUrl = await candidate.listening();
    const serving = run({ MODEL_VARIANT: 'baseline', SHADOW_URL: `${candidateUrl}/`, SHADOW_TIMEOUT_MS: '2000' });
    const url = await serving.listening();
    expect(messages(serving).join('\n')).toContain(`shadow mirroring on: 100% of answered /predict and /predict/batch requests go to ${candidateUrl} as well`);
    expect(await metric(url, `shadow_info{shadow_url="${candidateUrl}"}`)).toBe(1);
    expect(await metric(url, 'shadow_requests_total{outcome="ok"}')).toBe(0);

    for (let i = 0; i < 20; i++) expect(await post(url, '/predict', { ...INSTANCE, volatility: 0.0004 * i })).toBe(200);
    expect(await post(url, '/predict/batch', { instances: [INSTANCE, INSTANCE, INSTANCE, INSTANCE, INSTANCE] })).toBe(200);
    expect(await post(url, '/predict', { ...INSTANCE, price: -1 })).toBe(400);
    await expect.poll(() => metric(url, 'shadow_requests_total{outcome="ok"}'), { timeout: 10_000 }).toBe(21);
    const agree = await metric(url, 'shadow_predictions_total{agreement="agree"}');
    const differ = await metric(url, 'shadow_predictions_total{agreement="differ"}');
    expect(agree + differ).toBe(25);
    expect(await metric(candidateUrl, 'http_requests_total{method="POST",route="/predict",status_code="200"}')).toBe(20);
    expect(await metric(candidateUrl, 'http_requests_total{method="POST",route="/predict/batch",status_code="200"}')).toBe(1);
    expect(await metric(url, 'shadow_request_duration_seconds_count')).toBe(21);

    await candidate.kill();
    for (let i = 0; i < 10; i++) expect(await post(url, '/predict', INSTANCE)).toBe(200);
    // A keep-alive connection the candidate's death reset, then refused connections: all "unreachable".
    await expect.poll(() => metric(url, 'shadow_requests_total{outcome="unreachable"}'), { timeout: 10_000 }).toBe(10);
    expect(await metric(url, 'shadow_requests_total{outcome="error"}')).toBe(0);
    expect(serving.logs().filter((l) => l['level'] === 40 && String(l['msg']).startsWith('shadow candidate'))).toHaveLength(1);

    const stoppedAt = Date.now();
    expect((await serving.terminate()).code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
  });

  it.each([
    [{ SHADOW_URL: 'ftp://candidate:8000' }, 'SHADOW_URL="ftp://candidate:8000" is not valid; it must be an http(s) base URL'],
    [{ SHADOW_URL: 'http://candidate:8000', SHADOW_SHARE: '50%' }, 'SHADOW_SHARE="50%" is not valid; it must be a number from 0 to 1'],
    [{ SHADOW_MAX_IN_FLIGHT: '0' }, 'SHADOW_MAX_IN_FLIGHT="0" is not valid; it must be an integer from 1 to 10000'],
  ])('exits with code 2 on a bad setting %o', async (env, message) => {
    const service = run({ MODEL_VARIANT: 'baseline', ...env });
    const { code } = await service.exited();
    expect(code).toBe(2);
    expect(messages(service).join('\n')).toContain(`invalid configuration: ${message}`);
  });
});
