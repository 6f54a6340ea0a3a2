// Shadow mirroring between containers, as the controller sets it up: a baseline container whose SHADOW_URL
// names an ML container on the same user-defined Docker network (Docker's DNS resolves the container name).
// Both run the service image with this checkout's compiled dist/service mounted over the image's own, so
// the test needs no image build when the image exists (a fresh machine builds it with build-all.sh).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildService, PACKAGE_ROOT } from '../service/service-process.js';
import { cleanup, docker, runPrefix } from './docker-fixture.js';

const run = promisify(execFile);
const IMAGE = process.env['SERVICE_IMAGE'] ?? 'guardrail/service:dev';
const prefix = `${runPrefix()}-shadow`;
const INSTANCE = { price: 50_000, midprice: 50_001, return_1s: 0.001, return_5s: -0.002, volatility: 0.0004 };

async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

async function startContainer(name: string, env: Record<string, string>, publish: boolean): Promise<void> {
  const args = ['run', '-d', '--name', name, '--network', `${prefix}-net`, '-v', `${join(PACKAGE_ROOT, 'dist', 'service')}:/app/dist/service:ro`];
  for (const [key, value] of Object.entries(env)) args.push('-e', `${key}=${value}`);
  if (publish) args.push('-p', '127.0.0.1::8000');
  await run('docker', [...args, IMAGE]);
}

async function healthy(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not healthy within ${timeoutMs} ms`);
}

describe('a baseline container mirroring to an ML container by name', () => {
  let url: string;
  beforeAll(async () => {
    await buildService();
    const present = await run('docker', ['image', 'inspect', IMAGE]).then(() => true, () => false);
    if (!present) await run('bash', [join(PACKAGE_ROOT, 'docker/offline/build-all.sh')], { cwd: PACKAGE_ROOT, maxBuffer: 16 << 20 });
    await run('docker', ['network', 'create', `${prefix}-net`]);
    await startContainer(`${prefix}-ml`, { MODEL_VARIANT: 'ml' }, false);
    await startContainer(`${prefix}-baseline`, { MODEL_VARIANT: 'baseline', SHADOW_URL: `http://${prefix}-ml:8000` }, true);
    const port = (await run('docker', ['port', `${prefix}-baseline`, '8000/tcp'])).stdout.trim().split('\n')[0]?.split(':').pop();
    url = `http://127.0.0.1:${port}`;
    await healthy(url);
  }, 300_000);
  afterAll(async () => {
    await cleanup(docker(), prefix);
  });

  it('mirrors every answered request and exports the shadow counters', async () => {
    expect(await metric(url, `shadow_info{shadow_url="http://${prefix}-ml:8000"}`)).toBe(1);
    // The ML container may still be loading its model: those first mirrors are unreachable, not lost.
    await expect
      .poll(
        async () => {
          await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(INSTANCE) }).then((r) => r.text());
          return metric(url, 'shadow_requests_total{outcome="ok"}');
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBeGreaterThan(0);
    const before = await metric(url, 'shadow_requests_total{outcome="ok"}');
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(INSTANCE) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { model_variant: string }).model_variant).toBe('baseline');
    }
    await expect.poll(() => metric(url, 'shadow_requests_total{outcome="ok"}'), { timeout: 10_000 }).toBe(before + 30);
    const agree = await metric(url, 'shadow_predictions_total{agreement="agree"}');
    const differ = await metric(url, 'shadow_predictions_total{agreement="differ"}');
    expect(agree + differ).toBe(before + 30);
    expect(await metric(url, 'shadow_requests_total{outcome="error"}')).toBe(0);
    expect(await metric(url, 'shadow_dropped_total{reason="queue_full"}')).toBe(0);
  });
});
