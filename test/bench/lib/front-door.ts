import type { ServiceSpec } from '../../../controller/core/index.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DockerActuator } from '../../../controller/adapters/docker/actuator.js';
import { freePort } from '../../helpers/free-port.js';
import { createComposeProject, type ComposeProject } from './compose-project.js';
import { startHostLoad, type LoadResult } from './load.js';
import { waitStandbyReady } from './standby-ready.js';
import { median, sleep } from './stats.js';

// The stack's front door in the benchmarks (docs/front-door.md): a compose project whose `api`
// is reached on the host only through HAProxy (docker/front-door/haproxy.cfg, the stack's image), switched
// the way the shipped policy does it (start-first, warm standby, stopSignal SIGINT), under load on the
// front door's host port: a rollback (the standby takes over) then a roll-forward (a new ML container boots),
// one load across both. And the proxy's own cost: latency through it against the api's published port.

const run = promisify(execFile);

export const FRONT_DOOR_IMAGE = process.env['BENCH_FRONT_DOOR_IMAGE'] ?? 'haproxy:2.6-bookworm';

/** The shipped policy's switch settings on the bench project's api (verify on the container IP). */
export function frontDoorTarget(project: string): ServiceSpec {
  return {
    name: 'api',
    selector: { composeService: 'api', composeProject: project },
    variable: 'MODEL_VARIANT',
    strategy: 'start-first',
    stopSignal: 'SIGINT',
    warmStandby: { value: 'baseline' },
    verify: { port: 8000, healthPath: '/health', versionPath: '/version', variantField: 'model_variant', absentVariant: 'ml', timeoutMs: 60_000, via: 'container-ip' },
  };
}

export interface FrontDoorRun {
  readonly load: LoadResult;
  /** Switch start → the actuator's verified-new step, ms: the rollback (standby takeover) and the roll-forward. */
  readonly rollbackVerifiedMs: number;
  readonly forwardVerifiedMs: number;
  readonly rollbackFromStandby: boolean;
  readonly steps: string;
}

async function switchTo(actuator: DockerActuator, target: ServiceSpec, value: string | null, id: string) {
  const started = Date.now();
  const result = await actuator.switchVariant({ service: target, value, rollbackId: id });
  if (result.noop) throw new Error(`front door: the switch to ${value ?? 'ml'} was a no-op`);
  const verified = result.steps.find((s) => s.name === 'verified-new');
  if (verified === undefined) throw new Error(`front door: no verified-new step switching to ${value ?? 'ml'}`);
  return {
    verifiedMs: verified.atMs - started,
    fromStandby: result.steps.some((s) => s.detail['fromStandby'] === 'true'),
    steps: `${value ?? 'ml'}: ${result.steps.map((s) => `${s.name} +${s.atMs - started}`).join(', ')}`,
  };
}

/** A fresh project: api + front door, standby ready, then rollback and roll-forward under one host load. */
export async function frontDoorSwitches(options: { name: string; image: string; rps: number; body: string; leadMs: number; tailMs: number }): Promise<FrontDoorRun> {
  const project = await createComposeProject({ name: options.name, image: options.image, hostPort: await freePort(), frontDoor: { image: FRONT_DOOR_IMAGE } });
  try {
    await project.compose(['up', '-d', 'api', 'front-door']);
    await project.waitServing('ml');
    const target = frontDoorTarget(project.name);
    const actuator = new DockerActuator([target]);
    await actuator.maintainStandby(target);
    await waitStandbyReady(actuator, target, 'baseline', 60_000);
    const load = startHostLoad({ url: `${project.baseUrl}/predict`, rps: options.rps, maxDurationMs: 120_000, body: options.body });
    await sleep(options.leadMs);
    const back = await switchTo(actuator, target, 'baseline', `${options.name}-back`);
    await sleep(options.tailMs);
    const forward = await switchTo(actuator, target, null, `${options.name}-forward`);
    await sleep(options.tailMs);
    const result = await load.stop();
    if (result.failed > 0) await printFrontDoorLog(project);
    return {
      load: result,
      rollbackVerifiedMs: back.verifiedMs,
      forwardVerifiedMs: forward.verifiedMs,
      rollbackFromStandby: back.fromStandby,
      steps: `${back.steps}; ${forward.steps}`,
    };
  } finally {
    await project.remove();
  }
}

/** HAProxy logs only abnormal requests (option dontlog-normal): the failed ones, with their termination state. */
async function printFrontDoorLog(project: ComposeProject): Promise<void> {
  const { stdout, stderr } = await run('docker', ['logs', '--tail', '30', `${project.name}_front-door_1`]).catch((e: unknown) => ({ stdout: '', stderr: String(e) }));
  console.log(`  front door log (last 30 lines):\n${`${stdout}${stderr}`.trim().replaceAll(/^/gm, '    ')}`);
}

export interface LatencyComparison {
  readonly rounds: number;
  readonly rps: number;
  readonly direct: { readonly p50: number; readonly p95: number; readonly failed: number };
  readonly frontDoor: { readonly p50: number; readonly p95: number; readonly failed: number };
}

async function latencyRound(url: string, rps: number, seconds: number, body: string): Promise<LoadResult> {
  const load = startHostLoad({ url, rps, maxDurationMs: seconds * 1000, body });
  await sleep(seconds * 1000 + 200);
  return load.stop();
}

/**
 * The proxy's added latency: one project whose api publishes its own port too; `rounds` alternating rounds of
 * `seconds` at `rps` straight to the api's published port and through the front door, medians of each
 * round's P50/P95 (send to last byte, 2xx answers).
 */
export async function frontDoorLatency(options: { name: string; image: string; rps: number; seconds: number; rounds: number; body: string }): Promise<LatencyComparison> {
  const directPort = await freePort();
  const project: ComposeProject = await createComposeProject({ name: options.name, image: options.image, hostPort: await freePort(), frontDoor: { image: FRONT_DOOR_IMAGE, directPort } });
  try {
    await project.compose(['up', '-d', 'api', 'front-door']);
    await project.waitServing('ml');
    const urls = { direct: `http://127.0.0.1:${directPort}/predict`, frontDoor: `${project.baseUrl}/predict` };
    await latencyRound(urls.frontDoor, options.rps, 2, options.body); // warm both paths and the model
    const results: Record<'direct' | 'frontDoor', LoadResult[]> = { direct: [], frontDoor: [] };
    for (let round = 0; round < options.rounds; round++) {
      for (const path of round % 2 === 0 ? (['direct', 'frontDoor'] as const) : (['frontDoor', 'direct'] as const)) {
        results[path].push(await latencyRound(urls[path], options.rps, options.seconds, options.body));
      }
    }
    const summary = (rs: LoadResult[]) => ({
      p50: median(rs.map((r) => r.latencyMs?.p50 ?? Number.NaN)),
      p95: median(rs.map((r) => r.latencyMs?.p95 ?? Number.NaN)),
      failed: rs.reduce((n, r) => n + r.failed, 0),
    });
    return { rounds: options.rounds, rps: options.rps, direct: summary(results.direct), frontDoor: summary(results.frontDoor) };
  } finally {
    await project.remove();
  }
}
