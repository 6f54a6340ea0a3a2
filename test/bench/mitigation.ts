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
//   diy               — a Prometheus alerting rule with the same expression, `for` and evaluation interval →
//                       Alertmanager with its DEFAULT timings (group_wait 30s, group_interval 5m) → a node:http
//                       webhook receiver that runs `MODEL_VARIANT=baseline docker-compose up -d api` (Compose v1).
// What is measured from where: fault onset, first baseline, < 1% errors and the failed counts come from the
// load client (host or container, the same load-client.mjs); decision, verified and fromStandby from the
// actuator wrapper in this process; first breach and condition held from Prometheus, which scrapes the
// published port. That port serves the faulty container until after the decision, and both figures come
// before it; after a start-first switch the port is gone (the new container has none, the scrape target goes
// down) and nothing reads it any more: the baseline's own answers are counted by the load client.
// Scenarios:
//   hard — 60% errors; a fast-burn rule: error ratio over 30s > 20% for 5s, evaluated every 5s;
//   seed — 8% errors; the seed's 5% for 5m rule with every duration divided by 10: ratio over 6s (1m/10)
//          > 5% for 30s (5m/10), evaluated every 2s (15s/10 = 1.5s, rounded up to the 1 s cron grid).
// Env: BENCH_RUNS (default 3), BENCH_SCENARIOS (default "hard,seed"),
//      BENCH_CHAINS (default "guardrail,guardrail-standby,diy"), BENCH_WARM_STANDBY (default 1).
import { filePolicySource } from '../../controller/adapters/policy/index.js';
import { servicesOf } from '../../controller/core/index.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DockerActuator } from '../../controller/adapters/docker/actuator.js';
import { parsePolicyText } from '../../controller/adapters/policy/loader.js';
import { PrometheusMetricsSource } from '../../controller/adapters/prometheus/metrics-source.js';
import { Runtime } from '../../controller/runtime/runtime.js';
import { openStorage } from '../../controller/wiring/storage.js';
import { freePort } from '../helpers/free-port.js';
import { startAlertmanager, type RealAlertmanager } from '../helpers/real-alertmanager.js';
import { startPrometheus, type RealPrometheus } from '../helpers/real-prometheus.js';
import { chooseBenchImage } from './lib/bench-image.js';
import { createComposeProject, removeLeftovers, type ComposeProject } from './lib/compose-project.js';
import { startDiyReceiver, type DiyReceiver } from './lib/diy-webhook.js';
import { startContainerLoad, startHostLoad, type LoadResult, type RunningLoad } from './lib/load.js';
import { machineLine } from './lib/machine.js';
import { firstTimeAbove, heldAboveFor } from './lib/prometheus-range.js';
import { RecordingActuator } from './lib/recording-actuator.js';
import { runBench } from './lib/run-bench.js';
import { waitStandbyReady } from './lib/standby-ready.js';
import { markdownTable, median, sleep } from './lib/stats.js';
import { errorRateBackUnder, firstServerErrorAt } from './lib/timeline.js';

const PREFIX = 'grbench-mit';
const RPS = 100;
const BODY = JSON.stringify({ price: 50_000, midprice: 50_001.5, return_1s: 0.0004, return_5s: -0.0011, volatility: 0.00031 });
const HEALTHY_MS = 12_000; // healthy traffic in Prometheus before the fault (fills the rule windows)
const TAIL_MS = 8_000; // load after the baseline serves, to see the error rate settle
const GIVE_UP_MS = 150_000; // a chain that has not acted by then is reported as such
const STANDBY_READY_MS = 60_000; // the runtime creates the standby on a tick, then it boots (~1 s)
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
/** BENCH_WARM_STANDBY=0: the guardrail-standby chain without the warmStandby line (plain start-first). */
const WARM_STANDBY = process.env['BENCH_WARM_STANDBY'] !== '0';

const CHAINS = ['guardrail', 'guardrail-standby', 'diy'] as const;
type ChainName = (typeof CHAINS)[number];
type ScenarioName = 'hard' | 'seed';

interface Scenario {
  readonly name: ScenarioName;
  readonly label: string;
  readonly faultRate: number;
  readonly window: string;
  readonly threshold: number;
  readonly forText: string;
  readonly forMs: number;
  readonly interval: string;
  readonly intervalMs: number;
}

const SCENARIOS: Record<ScenarioName, Scenario> = {
  hard: {
    name: 'hard',
    label: 'hard failure: 60% errors; fast-burn rule ratio[30s] > 20% for 5s, every 5s',
    faultRate: 0.6,
    window: '30s',
    threshold: 0.2,
    forText: '5s',
    forMs: 5_000,
    interval: '5s',
    intervalMs: 5_000,
  },
  seed: {
    name: 'seed',
    label: "seed case: 8% errors; the 5%/5m rule ÷10: ratio[6s] > 5% for 30s, every 2s",
    faultRate: 0.08,
    window: '6s',
    threshold: 0.05,
    forText: '30s',
    forMs: 30_000,
    interval: '2s',
    intervalMs: 2_000,
  },
};

const errorRatio = (window: string): string =>
  `(sum(rate(http_requests_total{route=~"/predict.*",status_code=~"5.."}[${window}])) or on() vector(0)) / sum(rate(http_requests_total{route=~"/predict.*"}[${window}]))`;

/** The strategy lines of the policy target, per Guardrail chain. */
function strategyYaml(chain: Exclude<ChainName, 'diy'>): string {
  if (chain === 'guardrail') {
    return `  strategy: recreate
  stopSignal: SIGINT   # as the shipped policy: the old container closes at once instead of draining 500 ms
  verify: { port: 8000, healthPath: /health, versionPath: /version, variantField: model_variant, absentVariant: ml, timeout: 60s }
`;
  }
  // The controller runs on the host: the new container has no published port, its bridge IP is reachable.
  // SIGINT: after the settle the old, faulty container closes at once instead of draining 500 ms.
  return `  strategy: start-first
  stopSignal: SIGINT
${WARM_STANDBY ? '  warmStandby: true\n' : ''}  verify: { port: 8000, healthPath: /health, versionPath: /version, variantField: model_variant, absentVariant: ml, timeout: 60s, via: container-ip }
`;
}

function policyYaml(s: Scenario, project: string, chain: Exclude<ChainName, 'diy'>): string {
  return `name: bench-mitigation
target:
  name: api
  compose: { project: ${project}, services: [api] }
  variable: MODEL_VARIANT
  normalValue: null
  rollbackValue: baseline
${strategyYaml(chain)}evaluation:
  interval: ${s.interval}
  minRequests:
    query: sum(increase(http_requests_total{route=~"/predict.*"}[30s]))
    min: 100
    window: 30s
slo:
  p95LatencySeconds: 0.8
  errorRatio: 0.05
reasons:
  - name: high-error-rate
    severity: critical
    query: ${JSON.stringify(errorRatio(s.window))}
    above: ${s.threshold}
    unit: ratio
    for: ${s.forText}
limits:
  cooldown: 30m
  maxRollbacksPerHour: 2
`;
}

function ruleYaml(s: Scenario): string {
  return `groups:
  - name: diy
    interval: ${s.interval}
    rules:
      - alert: PredictionServiceHighErrorRate
        expr: ${JSON.stringify(`${errorRatio(s.window)} > ${s.threshold}`)}
        for: ${s.forText}
        labels: { severity: critical }
`;
}

/** Alertmanager with its defaults: no group_wait / group_interval / repeat_interval keys at all. */
function alertmanagerYaml(webhookUrl: string): string {
  return `route:
  receiver: diy
receivers:
  - name: diy
    webhook_configs:
      - url: ${webhookUrl}
`;
}

interface Outcome {
  readonly chain: ChainName;
  readonly scenario: ScenarioName;
  readonly onsetAt: number;
  readonly firstBreachAt: number | undefined;
  /** When the expression had been over the threshold for `for` without a break: the rule's condition holds. */
  readonly conditionHeldAt: number | undefined;
  readonly decisionAt: number | undefined;
  readonly verifiedAt: number | undefined;
  readonly firstBaselineAt: number | undefined;
  readonly recoveredAt: number | undefined;
  readonly load: LoadResult;
  /** guardrail-standby only: how the switch went with respect to the warm standby. */
  readonly standby?: StandbyOutcome;
}

interface StandbyOutcome {
  /** Whether the switch took the standby over (`created-new` detail fromStandby); undefined: no switch. */
  readonly fromStandby: boolean | undefined;
  /** The runtime's last maintainStandby state before the decision (the bad deploy makes a standby stale). */
  readonly stateAtDecision: string | undefined;
  /** From the end of the healthy stretch until the standby answered baseline (undefined: not waited for). */
  readonly readyWaitMs: number | undefined;
  /** The switch's steps, ms after the actuator was called. */
  readonly steps: string;
  /**
   * Failed requests by phase: onset → decision, decision → verified, verified → switch returned (start-first
   * keeps the old, faulty container serving through the settle), after it.
   */
  readonly failedByPhase: readonly [number, number, number, number] | undefined;
}

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

async function runOnce(chain: ChainName, s: Scenario, image: string, run: number): Promise<Outcome> {
  const name = `${PREFIX}-${s.name}-${chain}-${run}`;
  const parts: Parts = {};
  try {
    parts.dir = await mkdtemp(join(tmpdir(), 'guardrail-bench-mitigation-'));
    const project = await createComposeProject({
      name,
      image,
      hostPort: await freePort(),
      environment: { FAULT_ML_ERROR_RATE: '${FAULT_ML_ERROR_RATE:-0}', FAULT_SEED: '7' },
    });
    parts.project = project;
    await project.compose(['up', '-d', 'api']);
    await project.waitServing('ml');
    const target = project.baseUrl.replace('http://', '');

    let recorder: RecordingActuator | undefined;
    if (chain === 'diy') {
      const rollback = () => project.compose(['up', '-d', 'api'], { MODEL_VARIANT: 'baseline', FAULT_ML_ERROR_RATE: String(s.faultRate) });
      parts.receiver = await startDiyReceiver(rollback);
      const configYaml = alertmanagerYaml(parts.receiver.url);
      parts.alertmanager = await startAlertmanager({ configYaml });
      parts.prometheus = await startPrometheus({
        scrapeTargets: [target],
        ruleFiles: ruleYaml(s),
        alertmanagerUrl: parts.alertmanager.url,
        alertResendDelay: '1m', // Prometheus's default; the first notification of a new alert is not delayed by it
      });
    } else {
      parts.prometheus = await startPrometheus({ scrapeTargets: [target] });
    }
    const spec = { rps: RPS, maxDurationMs: 280_000, body: BODY };
    // start-first serves through the network alias only (the new container has no published port), so the
    // guardrail-standby load comes from a container on the project network, like bench:swap's start-first.
    const load =
      chain === 'guardrail-standby'
        ? await startContainerLoad({ ...spec, url: 'http://api:8000/predict' }, { image, network: project.network, name: `${name}-load` })
        : startHostLoad({ ...spec, url: `${project.baseUrl}/predict` });
    parts.load = load;
    await parts.prometheus.waitForSample('sum(rate(http_requests_total{route="/predict"}[5s])) > 0', 30_000);

    let readyWaitMs: number | undefined;
    if (chain !== 'diy') {
      const yaml = policyYaml(s, name, chain);
      const parsed = parsePolicyText(yaml, 'bench-mitigation.yaml');
      if (!parsed.ok) throw new Error(`policy: ${JSON.stringify(parsed.errors)}`);
      const policyFile = join(parts.dir, 'policy.yaml');
      await writeFile(policyFile, yaml);
      const { store, history } = await openStorage(join(parts.dir, 'state'));
      const targets = servicesOf(parsed.loaded.policy.target);
      const docker = new DockerActuator(targets);
      recorder = new RecordingActuator(docker);
      parts.runtime = new Runtime({
        policyPaths: [policyFile],
        policySource: filePolicySource,
        metricsSource: new PrometheusMetricsSource({ baseUrl: parts.prometheus.url }),
        actuator: recorder,
        sinks: [],
        store,
        history,
        logger: pino({ level: 'silent' }),
        watch: false,
      });
      await parts.runtime.start();
      await sleep(HEALTHY_MS);
      const target = targets[0];
      if (chain === 'guardrail-standby' && WARM_STANDBY && target !== undefined) {
        // A fault injected before the standby serves would measure a switch without one.
        readyWaitMs = (await waitStandbyReady(recorder, target, 'baseline', STANDBY_READY_MS)).waitedMs;
      }
    } else {
      await sleep(HEALTHY_MS);
    }

    // The bad deploy: compose recreates api with the fault switched on.
    await project.compose(['up', '-d', 'api'], { FAULT_ML_ERROR_RATE: String(s.faultRate) });
    const deployedAt = Date.now();
    const acted = (): boolean =>
      chain !== 'diy' ? recorder?.switches[0]?.doneAt !== undefined : parts.receiver?.times.commandDoneAt !== undefined || parts.receiver?.times.commandError !== undefined;
    while (!acted() && Date.now() - deployedAt < GIVE_UP_MS) await sleep(100);
    // Through the published port, which a start-first switch removes: there the actuator's verified-new and
    // the switch's return (after the settle and the old container's removal) say the baseline serves.
    if (acted() && chain !== 'guardrail-standby') await project.waitServing('baseline', 60_000).catch(() => undefined);
    await sleep(TAIL_MS);
    const result = await load.stop();
    delete parts.load;

    const onsetAt = firstServerErrorAt(result);
    if (onsetAt === undefined) throw new Error(`${name}: the fault never produced a 5xx`);
    const sw = recorder?.switches[0];
    if (sw?.error !== undefined) console.warn(`${name}: the switch failed: ${sw.error}`);
    if (parts.receiver?.times.commandError !== undefined) console.warn(`${name}: the DIY command failed: ${parts.receiver.times.commandError}`);
    const decisionAt = chain !== 'diy' ? sw?.calledAt : parts.receiver?.times.receivedAt;
    const firstBreachAt = await firstTimeAbove(parts.prometheus.url, errorRatio(s.window), s.threshold, onsetAt - 2_000, decisionAt ?? Date.now());
    const conditionHeldAt = await heldAboveFor(parts.prometheus.url, errorRatio(s.window), s.threshold, s.forMs, onsetAt - 2_000, (decisionAt ?? Date.now()) + 5_000);
    const firstBaselineAt = result.firstVariantAnsweredAt['baseline'];
    return {
      chain,
      scenario: s.name,
      onsetAt,
      firstBreachAt,
      conditionHeldAt,
      decisionAt,
      verifiedAt: chain !== 'diy' ? sw?.verifiedAt : parts.receiver?.times.commandDoneAt,
      firstBaselineAt,
      recoveredAt: firstBaselineAt === undefined ? undefined : errorRateBackUnder(result, 0.01, onsetAt),
      load: result,
      ...(chain === 'guardrail-standby' && recorder !== undefined ? { standby: standbyOutcome(recorder, readyWaitMs, result, onsetAt) } : {}),
    };
  } finally {
    await cleanup(parts);
  }
}

function standbyOutcome(recorder: RecordingActuator, readyWaitMs: number | undefined, load: LoadResult, onsetAt: number): StandbyOutcome {
  const sw = recorder.switches[0];
  const calledAt = sw?.calledAt;
  const phases =
    sw?.verifiedAt === undefined || sw.doneAt === undefined
      ? undefined
      : ([
          failedBetween(load, onsetAt, sw.calledAt),
          failedBetween(load, sw.calledAt, sw.verifiedAt),
          failedBetween(load, sw.verifiedAt, sw.doneAt),
          failedBetween(load, sw.doneAt, Number.POSITIVE_INFINITY),
        ] as const);
  return {
    fromStandby: recorder.fromStandby(),
    stateAtDecision: calledAt === undefined ? undefined : recorder.standbyStateAt(calledAt),
    readyWaitMs,
    steps: calledAt === undefined ? '' : recorder.steps.map((step) => `${step.name} +${step.atMs - calledAt}`).join(', '),
    failedByPhase: phases,
  };
}

const since = (from: number, at: number | undefined): number | undefined => (at === undefined ? undefined : (at - from) / 1000);
const s1 = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(1));
const medianOf = (xs: readonly (number | undefined)[]): number | undefined => {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length === 0 ? undefined : median(known);
};

/** Failed requests sent from `fromMs` on (the bad deploy's own restart gap comes before onset). */
function failedFrom(load: LoadResult, fromMs: number): number {
  return failedBetween(load, fromMs, Number.POSITIVE_INFINITY);
}

/** Failed requests sent in [fromMs, toMs), to the 100 ms bucket. */
function failedBetween(load: LoadResult, fromMs: number, toMs: number): number {
  const from = Math.floor(fromMs / 100) * 100;
  const to = Number.isFinite(toMs) ? Math.floor(toMs / 100) * 100 : Number.POSITIVE_INFINITY;
  return load.buckets.filter(([at]) => at >= from && at < to).reduce((n, [, , failed]) => n + failed, 0);
}

function describe(o: Outcome): string {
  return (
    `breach +${s1(since(o.onsetAt, o.firstBreachAt))} s, condition held +${s1(since(o.onsetAt, o.conditionHeldAt))} s, decision +${s1(since(o.onsetAt, o.decisionAt))} s ` +
    `(${s1(since(o.conditionHeldAt ?? Number.NaN, o.decisionAt))} s after the condition held), verified +${s1(since(o.onsetAt, o.verifiedAt))} s, ` +
    `first baseline +${s1(since(o.onsetAt, o.firstBaselineAt))} s, <1% errors +${s1(since(o.onsetAt, o.recoveredAt))} s; ` +
    `failed after onset ${failedFrom(o.load, o.onsetAt)}, errors of the whole run ${JSON.stringify(o.load.errors)}` +
    (o.standby === undefined ? '' : `\n  ${describeStandby(o.standby)}`)
  );
}

function describeStandby(sb: StandbyOutcome): string {
  const from = sb.fromStandby === undefined ? 'no switch' : sb.fromStandby ? 'yes' : 'NO';
  const ready = sb.readyWaitMs === undefined ? 'not waited for' : `answered baseline ${sb.readyWaitMs} ms after the healthy stretch`;
  const phases = sb.failedByPhase === undefined ? '—' : sb.failedByPhase.join(' / ');
  return (
    `switch from the warm standby: ${from} (runtime's last standby state before the decision: ${sb.stateAtDecision ?? '—'}; before the fault the standby ${ready}); ` +
    `steps ms after the call: ${sb.steps}; failed onset→decision / →verified / →switch returned / after: ${phases}`
  );
}

function table(all: readonly Outcome[]): string {
  const rows: string[][] = [];
  for (const scenario of Object.values(SCENARIOS)) {
    const per = (chain: ChainName) => all.filter((o) => o.chain === chain && o.scenario === scenario.name);
    const stat = (chain: ChainName, pick: (o: Outcome) => number | undefined) => medianOf(per(chain).map(pick));
    for (const chain of CHAINS) {
      const os = per(chain);
      if (os.length === 0) continue;
      const withStandby = os.filter((o) => o.standby !== undefined);
      rows.push([
        scenario.name,
        chain,
        String(os.length),
        withStandby.length === 0 ? '' : `${withStandby.filter((o) => o.standby?.fromStandby === true).length}/${withStandby.length}`,
        s1(stat(chain, (o) => since(o.onsetAt, o.firstBreachAt))),
        s1(stat(chain, (o) => since(o.onsetAt, o.conditionHeldAt))),
        s1(stat(chain, (o) => since(o.onsetAt, o.decisionAt))),
        s1(stat(chain, (o) => (o.conditionHeldAt === undefined ? undefined : since(o.conditionHeldAt, o.decisionAt)))),
        s1(stat(chain, (o) => (o.decisionAt === undefined ? undefined : since(o.decisionAt, o.verifiedAt)))),
        s1(stat(chain, (o) => since(o.onsetAt, o.verifiedAt))),
        s1(stat(chain, (o) => since(o.onsetAt, o.firstBaselineAt))),
        s1(stat(chain, (o) => since(o.onsetAt, o.recoveredAt))),
      ]);
    }
    const d = stat('diy', (o) => since(o.onsetAt, o.decisionAt));
    const dr = stat('diy', (o) => since(o.onsetAt, o.recoveredAt));
    for (const chain of ['guardrail', 'guardrail-standby'] as const) {
      const g = stat(chain, (o) => since(o.onsetAt, o.decisionAt));
      const gr = stat(chain, (o) => since(o.onsetAt, o.recoveredAt));
      if (g !== undefined && d !== undefined && gr !== undefined && dr !== undefined) {
        rows.push([scenario.name, `ratio diy/${chain}`, '', '', '', '', `×${(d / g).toFixed(2)}`, '', '', '', '', `×${(dr / gr).toFixed(2)}`]);
      }
    }
  }
  return markdownTable(
    ['scenario', 'chain', 'runs', 'from standby', 'first breach s', 'condition held s', 'decision s', 'decision − condition held s', 'decision → verified s', 'baseline verified s', 'first baseline answer s', 'errors < 1% s'],
    rows,
  );
}

async function benchmark(): Promise<void> {
  await removeLeftovers(PREFIX);
  const { image, note, realService } = await chooseBenchImage(`${PREFIX}-probe`);
  if (!realService) throw new Error(`bench:mitigation needs the real service image (fault injection): ${note}`);
  const scenarios = (process.env['BENCH_SCENARIOS'] ?? 'hard,seed').split(',') as ScenarioName[];
  const chains = (process.env['BENCH_CHAINS'] ?? CHAINS.join(',')).split(',') as ChainName[];
  const unknown = chains.filter((c) => !(CHAINS as readonly string[]).includes(c));
  if (unknown.length > 0) throw new Error(`unknown BENCH_CHAINS ${unknown.join(',')}: the chains are ${CHAINS.join(', ')}`);
  console.log(
    `bench:mitigation — image ${image}; ${RPS} rps (guardrail-standby: from a container on the project network through the alias, ` +
      `warmStandby ${WARM_STANDBY ? 'on' : 'OFF'}; the others: from the host); Prometheus scrape 1 s\n${machineLine()}`,
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
  console.log('Targets: hard failure decided within 30 s of onset; the 5%/5m rule decided within one evaluation interval of its condition holding; decision → baseline verified <= 1 s median.');
  console.log(
    'Unscaled seed case (5m for, 1m window, 15 s ticks): Guardrail decides at breach + 300 s + up to 15 s; the DIY chain at breach + 300 s + up to one rule evaluation + group_wait 30 s, then runs compose. Breach comes ~0.625 of a rate window after onset at 8% errors (0.05/0.08): ~37 s with a 1m window.',
  );
}

runBench(benchmark, () => removeLeftovers(PREFIX));
