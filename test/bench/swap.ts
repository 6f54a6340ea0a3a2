// Benchmark (prints figures, not a test): failed requests during a rollback, `npm run bench:swap`.
//
// At a steady 100 and 500 rps, each run switches a fresh compose project's `api` service from ml to
// baseline while a load generator counts failed requests and the failure window (send time of the first
// to the last failed request):
//   - Guardrail recreate     — the Docker actuator, load through the published host port;
//   - Guardrail recreate + SIGINT — the same with the target's `stopSignal: SIGINT` (the shipped policy's
//                              setting): the old container closes at once instead of draining 500 ms;
//   - Guardrail start-first  — the Docker actuator, load from a container on the project network through
//                              the alias `api` (an alias only resolves inside the network);
//   - seed manual            — the seed guide's `docker compose stop` + `MODEL_VARIANT=baseline docker
//                              compose up -d` (Compose v1 here), load through the published port;
//   - front door             — the shipped stack: HAProxy (docker/front-door/haproxy.cfg) publishes the port,
//                              the api none; the shipped policy's switch (start-first, warm standby, SIGINT),
//                              a rollback (standby takeover) AND a roll-forward under one load on the host
//                              port (lib/front-door.ts). Then the proxy's added latency: P50/P95 at
//                              BENCH_LATENCY_RPS (1000) straight to the api's published port vs through HAProxy.
// Runs are interleaved (every scenario once, then again) so machine-load drift hits all of them alike.
// Env: BENCH_RUNS (default 3), BENCH_RATES (default "100,500"),
//      BENCH_SCENARIOS (default "recreate,recreate-sigint,start-first,seed-manual,front-door"), BENCH_IMAGE (force
//      an image), BENCH_LATENCY_RPS (default 1000; 0 skips the latency comparison), BENCH_LATENCY_ROUNDS (4).
import type { ServiceSpec } from '../../controller/core/index.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DockerActuator } from '../../controller/adapters/docker/actuator.js';
import { freePort } from '../helpers/free-port.js';
import { chooseBenchImage } from './lib/bench-image.js';
import { createComposeProject, removeLeftovers, type ComposeProject } from './lib/compose-project.js';
import { frontDoorLatency, frontDoorSwitches } from './lib/front-door.js';
import { failureWindowMs, startContainerLoad, startHostLoad, type LoadResult, type RunningLoad } from './lib/load.js';
import { BenchLoad, machineLine } from './lib/machine.js';
import { runBench } from './lib/run-bench.js';
import { markdownTable, median, minMax, sleep } from './lib/stats.js';

const exec = promisify(execFile);
const PREFIX = 'grbench-swap';
const BODY = JSON.stringify({ price: 50_000, midprice: 50_001.5, return_1s: 0.0004, return_5s: -0.0011, volatility: 0.00031 });
const LEAD_MS = 1_000; // steady load before the switch starts
const TAIL_MS = 1_500; // steady load after the new variant is verified
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const RATES = (process.env['BENCH_RATES'] ?? '100,500').split(',').map(Number);

type ScenarioName = 'recreate' | 'recreate-sigint' | 'start-first' | 'seed-manual' | 'front-door';
const SCENARIOS = (process.env['BENCH_SCENARIOS'] ?? 'recreate,recreate-sigint,start-first,seed-manual,front-door').split(',') as ScenarioName[];
const LATENCY_RPS = Number(process.env['BENCH_LATENCY_RPS'] ?? 1000);
const LATENCY_ROUNDS = Number(process.env['BENCH_LATENCY_ROUNDS'] ?? 4);
const DESCRIPTION: Record<ScenarioName, string> = {
  recreate: 'Guardrail recreate, published port',
  'recreate-sigint': 'Guardrail recreate + stopSignal SIGINT, published port',
  'start-first': 'Guardrail start-first, network alias',
  'seed-manual': 'seed: compose stop + MODEL_VARIANT=baseline up -d',
  'front-door': 'front door (HAProxy) + shipped start-first/standby, rollback AND roll-forward, host port',
};

interface Measurement {
  readonly scenario: ScenarioName;
  readonly rps: number;
  /** From the start of the switch until the baseline was verified serving. */
  readonly switchMs: number;
  /** Failures sent before the switch began: should be 0, else the window measures something else too. */
  readonly failedBeforeSwitch: number;
  readonly load: LoadResult;
}

function targetOf(project: ComposeProject, scenario: Exclude<ScenarioName, 'seed-manual' | 'front-door'>): ServiceSpec {
  return {
    name: 'api',
    selector: { composeService: 'api', composeProject: project.name },
    variable: 'MODEL_VARIANT',
    strategy: scenario === 'start-first' ? 'start-first' : 'recreate',
    ...(scenario === 'recreate-sigint' ? { stopSignal: 'SIGINT' } : {}),
    verify: { port: 8000, healthPath: '/health', versionPath: '/version', variantField: 'model_variant', absentVariant: 'ml', timeoutMs: 60_000 },
  };
}

async function switchOnce(scenario: Exclude<ScenarioName, 'front-door'>, project: ComposeProject, runId: string): Promise<number> {
  const started = Date.now();
  if (scenario === 'seed-manual') {
    await project.compose(['stop', 'api']);
    await project.compose(['up', '-d', 'api'], { MODEL_VARIANT: 'baseline' });
    await project.waitServing('baseline');
    return Date.now() - started;
  }
  const target = targetOf(project, scenario);
  const result = await new DockerActuator([target]).switchVariant({ service: target, value: 'baseline', rollbackId: runId });
  if (result.noop) throw new Error(`${scenario}: the switch was a no-op`);
  // Where the time goes: each actuator step, ms after the switch began.
  console.log(`  ${scenario} steps: ${result.steps.map((s) => `${s.name} +${s.atMs - started}`).join(', ')}`);
  const verified = result.steps.find((s) => s.name === 'verified-new');
  if (verified) decisionToVerified.push({ scenario, ms: verified.atMs - started });
  return Date.now() - started;
}

/** Switch start (the runtime's decision) → the actuator's verified-new step, per scenario, for the summary. */
const decisionToVerified: Array<{ scenario: ScenarioName; ms: number }> = [];

/** A few sequential requests so the first measured ones do not pay for lazy initialisation. */
async function warmUp(url: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY, signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  }
}

/** The front door scenario: rollback and roll-forward under one load; switchMs is the rollback's. */
async function measureFrontDoor(rps: number, image: string, run: number): Promise<Measurement> {
  const m = await frontDoorSwitches({ name: `${PREFIX}-frontdoor-${rps}-${run}`, image, rps, body: BODY, leadMs: LEAD_MS, tailMs: TAIL_MS });
  console.log(`  front-door steps: ${m.steps}${m.rollbackFromStandby ? '' : ' (WARNING: the rollback did not take the standby over)'}`);
  decisionToVerified.push({ scenario: 'front-door', ms: m.rollbackVerifiedMs });
  forwardToVerified.push(m.forwardVerifiedMs);
  const firstSwitchAt = m.load.startedAt + LEAD_MS;
  const failedBeforeSwitch = m.load.buckets.filter(([at]) => at + 100 <= firstSwitchAt).reduce((n, [, , failed]) => n + failed, 0);
  return { scenario: 'front-door', rps, switchMs: m.rollbackVerifiedMs, failedBeforeSwitch, load: m.load };
}

/** Roll-forward (a new ML container, no standby for ml) → verified-new, front door scenario. */
const forwardToVerified: number[] = [];

async function measure(scenario: ScenarioName, rps: number, image: string, run: number): Promise<Measurement> {
  if (scenario === 'front-door') return measureFrontDoor(rps, image, run);
  const name = `${PREFIX}-${scenario.replace('-', '')}-${rps}-${run}`;
  const project = await createComposeProject({ name, image, hostPort: await freePort() });
  try {
    await project.compose(['up', '-d', 'api']);
    await project.waitServing('ml');
    await warmUp(`${project.baseUrl}/predict`);
    const spec = { rps, maxDurationMs: 120_000, body: BODY };
    const load: RunningLoad =
      scenario === 'start-first'
        ? await startContainerLoad({ ...spec, url: 'http://api:8000/predict' }, { image, network: project.network, name: `${name}-load` })
        : startHostLoad({ ...spec, url: `${project.baseUrl}/predict` });
    await sleep(LEAD_MS);
    const switchStartedAt = Date.now();
    const switchMs = await switchOnce(scenario, project, `rb-${run}`);
    await sleep(TAIL_MS);
    const result = await load.stop();
    // Both variants answered under load, or the run did not measure a switch at all (kept, but flagged).
    if ((result.variants['ml'] ?? 0) === 0 || (result.variants['baseline'] ?? 0) === 0) {
      console.warn(`WARNING ${name}: the load did not see both variants: ${JSON.stringify(result.variants)} errors ${JSON.stringify(result.errors)}`);
    }
    const failedBeforeSwitch = result.buckets.filter(([at]) => at + 100 <= switchStartedAt).reduce((n, [, , failed]) => n + failed, 0);
    return { scenario, rps, switchMs, failedBeforeSwitch, load: result };
  } finally {
    await project.remove();
  }
}

function summarise(all: readonly Measurement[]): string {
  const rows: string[][] = [];
  for (const rps of RATES) {
    for (const scenario of SCENARIOS) {
      const ms = all.filter((m) => m.scenario === scenario && m.rps === rps);
      if (ms.length === 0) continue;
      const failed = ms.map((m) => m.load.failed);
      const windows = ms.map((m) => failureWindowMs(m.load));
      const switches = ms.map((m) => m.switchMs);
      rows.push([
        DESCRIPTION[scenario],
        String(rps),
        String(ms.length),
        `${median(switches)} (${minMax(switches)})`,
        `${median(failed)} (${minMax(failed)})`,
        String(median(ms.map((m) => m.load.sent))),
        `${median(windows)} (${minMax(windows)})`,
      ]);
    }
  }
  return markdownTable(['scenario', 'rps', 'runs', 'switch ms, median (min–max)', 'failed requests, median (min–max)', 'sent/run', 'failure window ms, median (min–max)'], rows);
}

/**
 * From `docker start` to the first /health 200 of a fresh container: the floor under any stop-then-start
 * failure window (recreate, the seed's stop + up), whatever the orchestration around it.
 */
async function coldStartMs(image: string, name: string): Promise<number> {
  const port = await freePort();
  await exec('docker', ['create', '--name', name, '-p', `127.0.0.1:${port}:8000`, image]);
  try {
    const started = Date.now();
    await exec('docker', ['start', name]);
    while (Date.now() - started < 60_000) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(500) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return Date.now() - started;
      await sleep(20);
    }
    throw new Error(`${name}: no /health 200 within 60 s`);
  } finally {
    await exec('docker', ['rm', '-f', name]).catch(() => undefined);
  }
}

async function benchmark(): Promise<void> {
  const load = new BenchLoad();
  await removeLeftovers(PREFIX);
  const { image, note } = await chooseBenchImage(`${PREFIX}-probe`);
  console.log(`bench:swap — image ${image} (${note})\n${machineLine(load)}`);
  console.log(`${RUNS} runs × rates ${RATES.join(', ')} rps × ${SCENARIOS.length} scenarios; lead ${LEAD_MS} ms, tail ${TAIL_MS} ms\n`);
  const coldStarts: number[] = [];
  for (let i = 1; i <= 3; i++) coldStarts.push(await coldStartMs(image, `${PREFIX}-coldstart-${i}`));
  console.log(`cold start (docker start → first /health 200): median ${median(coldStarts)} ms (${minMax(coldStarts)})`);
  const all: Measurement[] = [];
  for (let run = 1; run <= RUNS; run++) {
    for (const rps of RATES) {
      for (const scenario of SCENARIOS) {
        const m = await measure(scenario, rps, image, run);
        all.push(m);
        console.log(
          `run ${run} ${scenario} @${rps} rps: switch ${m.switchMs} ms, failed ${m.load.failed}/${m.load.sent} (${m.failedBeforeSwitch} before the switch), window ${failureWindowMs(m.load)} ms`,
          m.load.failed > 0 ? JSON.stringify(m.load.errors) : '',
        );
      }
    }
  }
  console.log(`\n${summarise(all)}\n`);
  for (const scenario of SCENARIOS) {
    const ms = decisionToVerified.filter((d) => d.scenario === scenario).map((d) => d.ms);
    if (ms.length > 0) console.log(`${DESCRIPTION[scenario]}: switch start → verified-new median ${median(ms)} ms (${minMax(ms)}), all ${ms.join(' ')}`);
  }
  if (forwardToVerified.length > 0) console.log(`front door roll-forward (new ML container): switch start → verified-new median ${median(forwardToVerified)} ms (${minMax(forwardToVerified)})`);
  if (LATENCY_RPS > 0) await printLatency(image, load);
  console.log('Targets: start-first and front door 0 failed requests; front door rollback → verified <= 200 ms median; recreate failure window <= 500 ms; the seed says "5–10 seconds".');
  console.log(load.endLine());
}

/** The proxy's added latency, P50/P95 straight to the api's published port vs through the front door. */
async function printLatency(image: string, load: BenchLoad): Promise<void> {
  const l = await frontDoorLatency({ name: `${PREFIX}-latency`, image, rps: LATENCY_RPS, seconds: 5, rounds: LATENCY_ROUNDS, body: BODY });
  const row = (what: string, v: { p50: number; p95: number; failed: number }) => [what, v.p50.toFixed(2), v.p95.toFixed(2), String(v.failed)];
  console.log(`\nPOST /predict at ${l.rps} rps, ${l.rounds} alternating rounds of 5 s per path (medians of the rounds' percentiles); ${load.endLine()}`);
  console.log(
    markdownTable(['path', 'P50 ms', 'P95 ms', 'failed'], [
      row('direct (api published port)', l.direct),
      row('front door (HAProxy)', l.frontDoor),
      ['added by the front door', (l.frontDoor.p50 - l.direct.p50).toFixed(2), (l.frontDoor.p95 - l.direct.p95).toFixed(2), ''],
    ]),
  );
}

runBench(benchmark, () => removeLeftovers(PREFIX));
