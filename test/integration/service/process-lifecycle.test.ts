// The real process: a broken ML artifact or a bad setting makes it exit non-zero with a clear log line;
// SIGTERM lets an in-flight request finish and exits 0 within 10 s; the baseline starts in ROLLBACK MODE.
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT, buildService, startService, type ServiceProcess } from './service-process.js';

const ARTIFACTS = join(PACKAGE_ROOT, 'models', 'artifacts');
const started: ServiceProcess[] = [];
const run = (env: Record<string, string>): ServiceProcess => {
  const service = startService(env);
  started.push(service);
  return service;
};
const messages = (s: ServiceProcess): string[] => s.logs().map((l) => String(l['msg'] ?? l['raw']));

describe('prediction service process', () => {
  let dir: string;
  beforeAll(async () => {
    await buildService();
    dir = await mkdtemp(join(tmpdir(), 'guardrail-service-proc-'));
  }, 120_000);
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.kill()));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits non-zero naming model.onnx when it is missing', async () => {
    const modelDir = join(dir, 'missing');
    await mkdirWith(modelDir, ['model-card.json', 'baseline.json']);
    const service = run({ MODEL_DIR: modelDir });
    const { code } = await service.exited();
    expect(code).not.toBe(0);
    const fatal = service.logs().find((l) => l['level'] === 60);
    expect(String(fatal?.['msg'])).toBe(`failed to load the ml model: cannot load ONNX model ${join(modelDir, 'model.onnx')}: no such file`);
  });

  it('exits non-zero naming model.onnx when it is corrupt', async () => {
    const modelDir = join(dir, 'corrupt');
    await mkdirWith(modelDir, ['model-card.json']);
    await writeFile(join(modelDir, 'model.onnx'), Buffer.from('this is not an ONNX protobuf'));
    const service = run({ MODEL_DIR: modelDir });
    const { code } = await service.exited();
    expect(code).not.toBe(0);
    const fatal = service.logs().find((l) => l['level'] === 60);
    expect(String(fatal?.['msg'])).toMatch(new RegExp(`cannot load ONNX model ${escape(join(modelDir, 'model.onnx'))}: .+`));
  });

  it('the baseline starts from the same broken folder, in ROLLBACK MODE, without opening model.onnx', async () => {
    const modelDir = join(dir, 'corrupt-with-baseline');
    await mkdirWith(modelDir, ['baseline.json']);
    await writeFile(join(modelDir, 'model.onnx'), Buffer.from('garbage'));
    const service = run({ MODEL_DIR: modelDir, MODEL_VARIANT: 'baseline' });
    const url = await service.listening();
    const version = (await (await fetch(`${url}/version`)).json()) as { model_version: string };
    expect(version.model_version).toMatch(/^baseline-\d{10}$/);
    expect(messages(service)).toEqual(expect.arrayContaining(['ROLLBACK MODE: loading baseline model…', 'ROLLBACK MODE ACTIVE - using simple baseline predictor']));
  });

  it.each([
    [{ MODEL_VARIANT: 'canary' }, 'MODEL_VARIANT="canary" is not valid; use one of: ml, baseline'],
    [{ FAULT_ML_ERROR_RATE: '2' }, 'FAULT_ML_ERROR_RATE="2" is not valid'],
    [{ FAULT_ML_LATENCY_MS: 'slow' }, 'FAULT_ML_LATENCY_MS="slow" is not valid'],
  ])('exits non-zero on a bad setting %o', async (env, message) => {
    const service = run(env);
    const { code } = await service.exited();
    expect(code).not.toBe(0);
    expect(messages(service).join('\n')).toContain(`invalid configuration: ${message}`);
  });

  it('warns at start when faults are on', async () => {
    const service = run({ FAULT_ML_ERROR_RATE: '0.2' });
    await service.listening();
    const warn = service.logs().find((l) => l['level'] === 40);
    expect(String(warn?.['msg'])).toContain('FAULT INJECTION ON for the ML variant: error rate 0.2');
  });

  it('SIGTERM serves the drain window, then refuses new connections, lets an in-flight slow request finish, and exits 0 within 10 s', async () => {
    const service = run({ FAULT_ML_LATENCY_MS: '2000', SHUTDOWN_DRAIN_MS: '800' });
    const url = await service.listening();
    const inFlight = fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ price: 100, midprice: 100, return_1s: 0, return_5s: 0, volatility: 0.0001 }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the request is now inside the 2 s delay
    const signalledAt = Date.now();
    service.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Inside the drain window a new request is still answered (clients that just resolved an alias).
    expect((await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, signalledAt + 1_100 - Date.now())));
    // After the drain the listener is closed: a new connection is refused while the old request still runs.
    await expect(fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { model_variant: string }).model_variant).toBe('ml');
    const { code } = await service.exited();
    expect(code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(messages(service)).toEqual(expect.arrayContaining(['shutting down: serving a short drain, then finishing in-flight requests', 'shut down cleanly']));
  });
});

async function mkdirWith(target: string, files: readonly string[]): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(target, { recursive: true });
  for (const f of files) await copyFile(join(ARTIFACTS, f), join(target, f));
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
