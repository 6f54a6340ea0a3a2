import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { docker as fixtureDocker, fixtureImage } from '../../integration/docker/docker-fixture.js';
import { freePort } from '../../helpers/free-port.js';
import { sleep } from './stats.js';

// Which image the Docker benchmarks run: the real service image when it is built AND actually serves
// (a stand-in base can lack a library onnxruntime needs), else the actuator tests' fixture
// variant-server. BENCH_IMAGE overrides the choice.

const run = promisify(execFile);
export const SERVICE_IMAGE = 'guardrail/service:dev';

export interface BenchImage {
  readonly image: string;
  /** True for guardrail/service:dev: real /predict, real metrics, fault injection. */
  readonly realService: boolean;
  readonly note: string;
}

/** Starts the image once under a unique name; true when /health answers 200 within 30 s. */
async function serves(image: string, name: string): Promise<boolean> {
  const port = await freePort();
  try {
    await run('docker', ['run', '-d', '--name', name, '-p', `127.0.0.1:${port}:8000`, image]);
    for (const started = Date.now(); Date.now() - started < 30_000; ) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return true;
      const state = await run('docker', ['inspect', '-f', '{{.State.Running}}', name]).then((r) => r.stdout.trim());
      if (state !== 'true') return false;
      await sleep(200);
    }
    return false;
  } catch {
    return false;
  } finally {
    await run('docker', ['rm', '-f', name]).catch(() => undefined);
  }
}

export async function chooseBenchImage(probeName: string): Promise<BenchImage> {
  const forced = process.env['BENCH_IMAGE'];
  // Any tag of the service image is the real service (e.g. one built from a clone under its own tag).
  if (forced !== undefined && forced !== '') return { image: forced, realService: forced.startsWith('guardrail/service:'), note: 'BENCH_IMAGE' };
  const built = await run('docker', ['image', 'inspect', SERVICE_IMAGE]).then(
    () => true,
    () => false,
  );
  if (built && (await serves(SERVICE_IMAGE, probeName))) return { image: SERVICE_IMAGE, realService: true, note: 'the real service image' };
  const image = await fixtureImage(fixtureDocker());
  const why = built ? `${SERVICE_IMAGE} is built but does not serve (probe container failed)` : `${SERVICE_IMAGE} is not built`;
  return { image, realService: false, note: `${why}: the fixture variant-server image (drains 500 ms after SIGTERM)` };
}
