// Benchmark (prints figures, not a test): time to mitigate, Guardrail vs a do-it-yourself alert chain,
// `npm run bench:mitigation`. Real Docker (compose project, Docker actuator), real Prometheus, real
// Alertmanager, the real service image when it serves (else nothing to measure: the fixture cannot fail).
//
// Each run: a fresh compose project `api` serves ml under 100 rps (from the host, or from a container on the
// project network for guardrail-standby); Prometheus scrapes it every second; after a healthy stretch a
// faulty ML model is deployed (`FAULT_ML_ERROR_RATE=<rate> docker compose up -d api`). Fault onset = the send
// time of the first request answered 5xx. Then, from onset:
//   first breach   — the first second at which Prometheus's own value of the rule expression crosses the
//                    threshold (a range query afterwards, at 1 s steps);
//   decision       — Guardrail: the runtime calls the actuator (decided and journaled); DIY: Alertmanager's
//                    webhook reaches the receiver;
//   baseline verified — Guardrail: the actuator's verified-new step; DIY: `docker compose up -d` returned
//                    (the DIY chain verifies nothing);
//   first baseline — the first answer from the baseline model arrives at a client;
//   < 1% errors    — from then on every 1 s window of client requests has under 1% failed.
// Chains, run one after the other on the same fault:
//   guardrail         — the real Runtime (node-cron ticks at the policy interval) + PrometheusMetricsSource +
//                       DockerActuator (recreate + stopSignal SIGINT), one policy with one reason; load from
//                       the host through the published port;
//   guardrail-standby — the same Runtime, metrics source, actuator and reason, but the target is
//                       `strategy: start-first` + `warmStandby: true` + `stopSignal: SIGINT` (verify via the container IP): the
//                       actuator keeps a baseline container running beside the current one, off the alias, and
//                       a rollback renames, connects and verifies it instead of creating and booting one. The
//                       load comes from a container on the project network through the alias `api` (what
//                       start-first keeps serving; start-first drops published ports). Before the fault the
//                       chain waits until the standby answers baseline on its container IP; the printed
//                       outcome says whether the switch took the standby over (`created-new` fromStandby)
//                       and what the runtime last reported about the standby before the decision.
//                       BENCH_WARM_STANDBY=0 drops the warmStandby line: plain start-first, for comparison;
//   front-door        — guardrail-standby as the compose stack ships it: the project's api is reached on the
//                       host only through the front door (HAProxy, docker/front-door/haproxy.cfg; the api
//                       publishes no port), and the load and Prometheus's scrape go through it. The fault's
//                       onset is its first http_500 (HAProxy answers 503 while the bad deploy's recreate
//                       leaves no api at all: that gap is the deploy's, before the fault serves);
//   diy               — a Prometheus alerting rule with the same expression, `for` and evaluation interval →
//                       Alertmanager with its DEFAULT timings (group_wait 30s, group_interval 5m) → a node:http
//                       webhook receiver that runs `MODEL_VARIANT=baseline docker-compose up -d api` (Compose v1).
// What is measured from where: fault onset, first baseline, < 1% errors and the failed counts come from the
// load client (host or container, the same load-client.mjs); decision, verified and fromStandby from the
// actuator wrapper in this process; first breach and condition held from Prometheus, which scrapes the
// published port. That port serves the faulty container until after the decision, and both figures come
// before it; after a start-first switch the port is gone (the new container has none, the scrape target goes
// down) and nothing reads it any more: the baseline's own answers are counted by the load client.
// Every chain runs the SHIPPED policy (policies/prediction-service.yaml, test/bench/lib/shipped-policy.ts): the
// same reasons, windows, thresholds and `for`s, only the target moved to the bench project. The DIY chain gets
// each automatic reason as a Prometheus alerting rule (same expression, `for`, evaluation interval, traffic
// guard), routed by Alertmanager twice: with its DEFAULT timings (group_wait 30s) — `diy` — and with
// `group_wait: 0s`, as our stack routes its webhook — `diy-gw0`, the fair comparison.
// Scenarios (the fault is injected into the ML variant only, so the baseline cures it):
//   hard     — 60% errors; the shipped policy as is (15 s ticks): error-budget-fast-burn decides;
//   seed     — 8% errors; the shipped policy with the traffic reasons' durations ÷10 (the 5%/5m rule:
//              1m → 6s window, for 5m → 30s, ticks 15s → 2s; up/model_info reasons stay real time):
//              high-error-rate decides;
//   sawtooth — 15% errors for 6 s of every 12 s (FAULT_ML_ERROR_CYCLE), the shipped policy ÷10: the 6 s
//              ratio dips under 5% every cycle, so high-error-rate's `for` restarts; error-budget-slow-burn
//              (30m → 3m and 5m → 30s windows, after 3m of history) decides.
// Env: BENCH_RUNS (default 1), BENCH_SCENARIOS (default "hard,seed,sawtooth"),
//      BENCH_CHAINS (default "guardrail,guardrail-standby,front-door,diy,diy-gw0"), BENCH_WARM_STANDBY (default 1).
import { filePolicySource } from '../../controller/adapters/policy/index.js';
import { servicesOf, type Policy } from '../../controller/core/index.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DockerActuator } from '../../controller/adapters/docker/actuator.js';
import { PrometheusMetricsSource } from '../../controller/adapters/prometheus/metrics-source.js';
import { Runtime } from '../../controller/runtime/runtime.js';
import { openStorage } from '../../controller/wiring/storage.js';
import { freePort } from '../helpers/free-port.js';
import { startAlertmanager, type RealAlertmanager } from '../helpers/real-alertmanager.js';
import { startPrometheus, type RealPrometheus } from '../helpers/real-prometheus.js';
import { chooseBenchImage } from './lib/bench-image.js';
import { createComposeProject, removeLeftovers, type ComposeProject } from './lib/compose-project.js';
import { startDiyReceiver, type DiyReceiver } from './lib/diy-webhook.js';
import { FRONT_DOOR_IMAGE } from './lib/front-door.js';
import { startContainerLoad, startHostLoad, type LoadResult, type RunningLoad } from './lib/load.js';
import { BenchLoad, machineLine } from './lib/machine.js';
import { firstTimeAbove, heldAboveFor } from './lib/prometheus-range.js';
import { RecordingActuator } from './lib/recording-actuator.js';
import { runBench } from './lib/run-bench.js';
import { diyRulesYaml } from './lib/shipped-policy.js';
import { waitStandbyReady } from './lib/standby-ready.js';
import { CHAINS, SCENARIOS, isDiy, withStandby, type ChainName, type GuardrailChain, type Outcome, type Scenario, type ScenarioName } from './lib/mitigation-model.js';
import { describe, table } from './lib/mitigation-report.js';
import { WARM_STANDBY, alertmanagerYaml, benchPolicy, breachingExpr, guardrailReason, scrapeJob, standbyOutcome } from './lib/mitigation-config.js';
import { sleep } from './lib/stats.js';
import { errorRateBackUnder, firstServerErrorAt } from './lib/timeline.js';

const PREFIX = 'grbench-mit';
const RPS = 100;
const BODY = JSON.stringify({ price: 50_000, midprice: 50_001.5, return_1s: 0.0004, return_5s: -0.0011, volatility: 0.00031 });
const HEALTHY_MS = 12_000; // healthy traffic in Prometheus before the fault (fills the rule windows)
const TAIL_MS = 8_000; // load after the baseline serves, to see the error rate settle
const STANDBY_READY_MS = 60_000; // the runtime creates the standby on a tick, then it boots (~1 s)
const RUNS = Number(process.env['BENCH_RUNS'] ?? 1);

interface Parts {
  project?: ComposeProject;
  load?: RunningLoad;
  prometheus?: RealPrometheus;
  alertmanager?: RealAlertmanager;
  receiver?: DiyReceiver;
  runtime?: Runtime;
  dir?: string;
}

async function cleanup(parts: Parts): Promise<void> {
  await parts.runtime?.stop().catch(() => undefined);
  await parts.load?.stop().catch(() => undefined);
  await parts.prometheus?.stop().catch(() => undefined);
  await parts.alertmanager?.stop().catch(() => undefined);
  await parts.receiver?.close().catch(() => undefined);
  // A warm standby (or a load container) carries the project's name but is not compose's to remove, and a
  // container still on the network would make `compose down` fail to remove the network.
  if (parts.project !== undefined) await removeLeftovers(parts.project.name);
  await parts.project?.remove();
  if (parts.dir !== undefined) await rm(parts.dir, { recursive: true, force: true });
}

async function startDiy(parts: Parts, chain: 'diy' | 'diy-gw0', s: Scenario, project: ComposeProject, policy: Policy, target: string): Promise<void> {
  // The seed's rollback: `MODEL_VARIANT=baseline docker compose up -d api` (the fault env stays as deployed).
  const rollback = () => project.compose(['up', '-d', 'api'], { MODEL_VARIANT: 'baseline', ...s.fault });
  parts.receiver = await startDiyReceiver(rollback);
  parts.alertmanager = await startAlertmanager({ configYaml: alertmanagerYaml(parts.receiver.url, chain === 'diy-gw0') });
  parts.prometheus = await startPrometheus({
    scrapeTargets: [],
    extraScrapeConfigs: scrapeJob(target),
    ruleFiles: diyRulesYaml(policy),
    alertmanagerUrl: parts.alertmanager.url,
    alertResendDelay: '1m', // Prometheus's default; the first notification of a new alert is not delayed by it
  });
}

async function startGuardrail(parts: Parts, chain: GuardrailChain, yaml: string, policy: Policy, prometheusUrl: string): Promise<RecordingActuator> {
  const dir = parts.dir as string;
  const policyFile = join(dir, 'policy.yaml');
  await writeFile(policyFile, yaml);
  const { store, history } = await openStorage(join(dir, 'state'));
  const recorder = new RecordingActuator(new DockerActuator(servicesOf(policy.target)));
  parts.runtime = new Runtime({
    policyPaths: [policyFile],
    policySource: filePolicySource,
    metricsSource: new PrometheusMetricsSource({ baseUrl: prometheusUrl }),
    actuator: recorder,
    sinks: [],
    store,
    history,
    logger: pino({ level: 'silent' }),
    watch: false,
  });
  await parts.runtime.start();
  return recorder;
}

async function runOnce(chain: ChainName, s: Scenario, image: string, run: number): Promise<Outcome> {
  const name = `${PREFIX}-${s.name}-${chain}-${run}`;
  const parts: Parts = {};
  try {
    parts.dir = await mkdtemp(join(tmpdir(), 'guardrail-bench-mitigation-'));
    const project = await createComposeProject({
      name,
      image,
      hostPort: await freePort(),
      environment: { FAULT_ML_ERROR_RATE: '${FAULT_ML_ERROR_RATE:-0}', FAULT_ML_ERROR_CYCLE: '${FAULT_ML_ERROR_CYCLE:-}', FAULT_SEED: '7' },
      ...(chain === 'front-door' ? { frontDoor: { image: FRONT_DOOR_IMAGE } } : {}),
    });
    parts.project = project;
    await project.compose(['up', '-d', 'api', ...(chain === 'front-door' ? ['front-door'] : [])]);
    await project.waitServing('ml');
    const target = project.baseUrl.replace('http://', '');
    const { yaml, policy } = benchPolicy(chain, s, name);

    if (isDiy(chain)) await startDiy(parts, chain, s, project, policy, target);
    else parts.prometheus = await startPrometheus({ scrapeTargets: [], extraScrapeConfigs: scrapeJob(target) });
    const prometheus = parts.prometheus as RealPrometheus;
    const spec = { rps: RPS, maxDurationMs: s.giveUpMs + 130_000, body: BODY };
    // start-first serves through the network alias only (the new container has no published port), so the
    // guardrail-standby load comes from a container on the project network, like bench:swap's start-first.
    const load =
      chain === 'guardrail-standby'
        ? await startContainerLoad({ ...spec, url: 'http://api:8000/predict' }, { image, network: project.network, name: `${name}-load` })
        : startHostLoad({ ...spec, url: `${project.baseUrl}/predict` });
    parts.load = load;
    await prometheus.waitForSample('sum(rate(http_requests_total{route="/predict"}[5s])) > 0', 60_000);

    const recorder = isDiy(chain) ? undefined : await startGuardrail(parts, chain, yaml, policy, prometheus.url);
    await sleep(HEALTHY_MS);
    let readyWaitMs: number | undefined;
    const service = servicesOf(policy.target)[0];
    if (withStandby(chain) && WARM_STANDBY && recorder !== undefined && service !== undefined) {
      // A fault injected before the standby serves would measure a switch without one.
      readyWaitMs = (await waitStandbyReady(recorder, service, 'baseline', STANDBY_READY_MS)).waitedMs;
    }

    // The bad deploy: compose recreates api with the fault switched on.
    await project.compose(['up', '-d', 'api'], s.fault);
    const deployedAt = Date.now();
    const acted = (): boolean =>
      recorder !== undefined ? recorder.switches[0]?.doneAt !== undefined : parts.receiver?.times.commandDoneAt !== undefined || parts.receiver?.times.commandError !== undefined;
    while (!acted() && Date.now() - deployedAt < s.giveUpMs) await sleep(100);
    // Through the published port, which a start-first switch removes: there the actuator's verified-new and
    // the switch's return (after the settle and the old container's removal) say the baseline serves.
    if (acted() && chain !== 'guardrail-standby') await project.waitServing('baseline', 60_000).catch(() => undefined);
    await sleep(TAIL_MS);
    const result = await load.stop();
    delete parts.load;
    return await outcomeOf({ chain, s, name, parts, recorder, policy, result, readyWaitMs });
  } finally {
    await cleanup(parts);
  }
}

interface Measured {
  readonly chain: ChainName;
  readonly s: Scenario;
  readonly name: string;
  readonly parts: Parts;
  readonly recorder: RecordingActuator | undefined;
  readonly policy: Policy;
  readonly result: LoadResult;
  readonly readyWaitMs: number | undefined;
}

async function outcomeOf(m: Measured): Promise<Outcome> {
  const { chain, s, parts, recorder, result } = m;
  const onsetAt = firstServerErrorAt(result, chain === 'front-door' ? /^http_500$/ : undefined);
  if (onsetAt === undefined) throw new Error(`${m.name}: the fault never produced a 5xx`);
  const sw = recorder?.switches[0];
  if (sw?.error !== undefined) console.warn(`${m.name}: the switch failed: ${sw.error}`);
  if (parts.receiver?.times.commandError !== undefined) console.warn(`${m.name}: the DIY command failed: ${parts.receiver.times.commandError}`);
  const decisionAt = recorder !== undefined ? sw?.calledAt : parts.receiver?.times.receivedAt;
  const prometheusUrl = (parts.prometheus as RealPrometheus).url;
  const { expr, forMs } = breachingExpr(m.policy, s.reason);
  // A decision before the onset (another reason, e.g. the bad deploy's own restart) leaves nothing to measure.
  const searchEnd = Math.max(onsetAt, decisionAt ?? Date.now());
  const firstBreachAt = await firstTimeAbove(prometheusUrl, expr, 0, onsetAt - 2_000, searchEnd);
  const conditionHeldAt = await heldAboveFor(prometheusUrl, expr, 0, forMs, onsetAt - 2_000, searchEnd + 5_000);
  const firstBaselineAt = result.firstVariantAnsweredAt['baseline'];
  return {
    chain,
    scenario: s.name,
    onsetAt,
    firstBreachAt,
    conditionHeldAt,
    decisionAt,
    verifiedAt: recorder !== undefined ? sw?.verifiedAt : parts.receiver?.times.commandDoneAt,
    firstBaselineAt,
    recoveredAt: firstBaselineAt === undefined ? undefined : errorRateBackUnder(result, 0.01, onsetAt),
    load: result,
    decidedBy: recorder !== undefined ? await guardrailReason(parts.dir as string) : (parts.receiver?.times.alertnames ?? []).join('+') || '—',
    ...(withStandby(chain) && recorder !== undefined ? { standby: standbyOutcome(recorder, m.readyWaitMs, result, onsetAt) } : {}),
  };
}

async function benchmark(): Promise<void> {
  const load = new BenchLoad();
  await removeLeftovers(PREFIX);
  const { image, note, realService } = await chooseBenchImage(`${PREFIX}-probe`);
  if (!realService) throw new Error(`bench:mitigation needs the real service image (fault injection): ${note}`);
  const scenarios = (process.env['BENCH_SCENARIOS'] ?? 'hard,seed,sawtooth').split(',') as ScenarioName[];
  const unknownScenarios = scenarios.filter((x) => !(x in SCENARIOS));
  if (unknownScenarios.length > 0) throw new Error(`unknown BENCH_SCENARIOS ${unknownScenarios.join(',')}: the scenarios are ${Object.keys(SCENARIOS).join(', ')}`);
  const chains = (process.env['BENCH_CHAINS'] ?? CHAINS.join(',')).split(',') as ChainName[];
  const unknown = chains.filter((c) => !(CHAINS as readonly string[]).includes(c));
  if (unknown.length > 0) throw new Error(`unknown BENCH_CHAINS ${unknown.join(',')}: the chains are ${CHAINS.join(', ')}`);
  console.log(
    `bench:mitigation — image ${image}; ${RPS} rps (guardrail-standby: from a container on the project network through the alias, ` +
      `warmStandby ${WARM_STANDBY ? 'on' : 'OFF'}; the others: from the host); Prometheus scrape 1 s\n${machineLine(load)}`,
  );
  for (const s of scenarios) console.log(`  ${s}: ${SCENARIOS[s].label}`);
  console.log('All times in seconds from fault onset (first 5xx answer), medians of the runs.\n');
  const all: Outcome[] = [];
  for (let run = 1; run <= RUNS; run++) {
    for (const s of scenarios) {
      for (const chain of chains) {
        const o = await runOnce(chain, SCENARIOS[s], image, run);
        all.push(o);
        console.log(`run ${run} ${s} ${chain}: ${describe(o)}`);
      }
    }
  }
  console.log(`\n${table(all)}\n`);
  console.log(
    'Targets (issue 15): hard failure (>= 50% errors) decided within 60 s of onset and the baseline verified within 70 s; ' +
      'the 5%/5m rule decided within one evaluation interval of its condition holding; the sawtooth rolled back. ' +
      'diy: Alertmanager defaults (group_wait 30s); diy-gw0: group_wait 0s, as our stack routes its webhook — the fair ratio.',
  );
  console.log(load.endLine());
}

runBench(benchmark, () => removeLeftovers(PREFIX));
