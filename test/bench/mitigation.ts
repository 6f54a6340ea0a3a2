// Benchmark (prints figures, not a test): time to mitigate, Guardrail vs a do-it-yourself alert chain,
// `npm run bench:mitigation`. Real Docker (compose project, Docker actuator), real Prometheus, real
// Alertmanager, the real service image when it serves (else nothing to measure: the fixture cannot fail).
//
// Each run: a fresh compose project `api` serves ml under 100 rps from the host; Prometheus scrapes it every
// second; after a healthy stretch a faulty ML model is deployed (`FAULT_ML_ERROR_RATE=<rate> docker compose
// up -d api`). Fault onset = the send time of the first request answered 5xx. Then, from onset:
//   first breach   — the first second at which Prometheus's own value of the rule expression crosses the
//                    threshold (a range query afterwards, at 1 s steps);
//   decision       — Guardrail: the runtime calls the actuator (decided and journaled); DIY: Alertmanager's
//                    webhook reaches the receiver;
//   baseline verified — Guardrail: the actuator's verified-new step; DIY: `docker compose up -d` returned
//                    (the DIY chain verifies nothing);
//   first baseline — the first answer from the baseline model arrives at a client;
//   < 1% errors    — from then on every 1 s window of client requests has under 1% failed.
// Chains, run one after the other on the same fault:
//   guardrail — the real Runtime (node-cron ticks at the policy interval) + PrometheusMetricsSource +
//               DockerActuator (recreate), one policy with one reason;
//   diy       — a Prometheus alerting rule with the same expression, `for` and evaluation interval →
//               Alertmanager with its DEFAULT timings (group_wait 30s, group_interval 5m) → a node:http
//               webhook receiver that runs `MODEL_VARIANT=baseline docker-compose up -d api` (Compose v1).
// Scenarios:
//   hard — 60% errors; a fast-burn rule: error ratio over 30s > 20% for 5s, evaluated every 5s;
//   seed — 8% errors; the seed's 5% for 5m rule with every duration divided by 10: ratio over 6s (1m/10)
//          > 5% for 30s (5m/10), evaluated every 2s (15s/10 = 1.5s, rounded up to the 1 s cron grid).
// Env: BENCH_RUNS (default 3), BENCH_SCENARIOS (default "hard,seed"), BENCH_CHAINS (default "guardrail,diy").
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DockerActuator } from '../../controller/adapters/docker-actuator.js';
import { parsePolicyText } from '../../controller/adapters/policy-loader.js';
import { PrometheusMetricsSource } from '../../controller/adapters/prometheus.js';
import { actuatorTargetsOf } from '../../controller/runtime/actuator-targets.js';
import { Runtime } from '../../controller/runtime/runtime.js';
import { openStorage } from '../../controller/runtime/storage.js';
import { freePort } from '../helpers/free-port.js';
import { startAlertmanager, type RealAlertmanager } from '../helpers/real-alertmanager.js';
import { startPrometheus, type RealPrometheus } from '../helpers/real-prometheus.js';
import { chooseBenchImage } from './lib/bench-image.js';
import { createComposeProject, removeLeftovers, type ComposeProject } from './lib/compose-project.js';
import { startDiyReceiver, type DiyReceiver } from './lib/diy-webhook.js';
import { startHostLoad, type LoadResult } from './lib/load.js';
import { machineLine } from './lib/machine.js';
import { firstTimeAbove, heldAboveFor } from './lib/prometheus-range.js';
import { RecordingActuator } from './lib/recording-actuator.js';
import { runBench } from './lib/run-bench.js';
import { markdownTable, median, sleep } from './lib/stats.js';
import { errorRateBackUnder, firstServerErrorAt } from './lib/timeline.js';

const PREFIX = 'grbench-mit';
const RPS = 100;
const BODY = JSON.stringify({ price: 50_000, midprice: 50_001.5, return_1s: 0.0004, return_5s: -0.0011, volatility: 0.00031 });
const HEALTHY_MS = 12_000; // healthy traffic in Prometheus before the fault (fills the rule windows)
const TAIL_MS = 8_000; // load after the baseline serves, to see the error rate settle
const GIVE_UP_MS = 150_000; // a chain that has not acted by then is reported as such
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);

type ChainName = 'guardrail' | 'diy';
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

function policyYaml(s: Scenario, project: string): string {
  return `name: bench-mitigation
target:
  name: api
  compose: { project: ${project}, services: [api] }
  variable: MODEL_VARIANT
  normalValue: null
  rollbackValue: baseline
  strategy: recreate
  stopSignal: SIGINT   # as the shipped policy: the old container closes at once instead of draining 500 ms
  verify: { port: 8000, healthPath: /health, versionPath: /version, variantField: model_variant, absentVariant: ml, timeout: 60s }
evaluation:
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
}

interface Parts {
  project?: ComposeProject;
  prometheus?: RealPrometheus;
  alertmanager?: RealAlertmanager;
  receiver?: DiyReceiver;
  runtime?: Runtime;
  dir?: string;
}

async function cleanup(parts: Parts): Promise<void> {
  await parts.runtime?.stop().catch(() => undefined);
  await parts.prometheus?.stop().catch(() => undefined);
  await parts.alertmanager?.stop().catch(() => undefined);
  await parts.receiver?.close().catch(() => undefined);
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
    const load = startHostLoad({ url: `${project.baseUrl}/predict`, rps: RPS, maxDurationMs: 280_000, body: BODY });
    await parts.prometheus.waitForSample('sum(rate(http_requests_total{route="/predict"}[5s])) > 0', 30_000);

    if (chain === 'guardrail') {
      const yaml = policyYaml(s, name);
      const parsed = parsePolicyText(yaml, 'bench-mitigation.yaml');
      if (!parsed.ok) throw new Error(`policy: ${JSON.stringify(parsed.errors)}`);
      const policyFile = join(parts.dir, 'policy.yaml');
      await writeFile(policyFile, yaml);
      const { store, history } = await openStorage(join(parts.dir, 'state'));
      recorder = new RecordingActuator(new DockerActuator(actuatorTargetsOf(parsed.loaded.policy.target)));
      parts.runtime = new Runtime({
        policyPaths: [policyFile],
        metricsSource: new PrometheusMetricsSource({ baseUrl: parts.prometheus.url }),
        actuator: recorder,
        sinks: [],
        store,
        history,
        logger: pino({ level: 'silent' }),
        watch: false,
      });
      await parts.runtime.start();
    }
    await sleep(HEALTHY_MS);

    // The bad deploy: compose recreates api with the fault switched on.
    await project.compose(['up', '-d', 'api'], { FAULT_ML_ERROR_RATE: String(s.faultRate) });
    const deployedAt = Date.now();
    const acted = (): boolean =>
      chain === 'guardrail' ? recorder?.switches[0]?.doneAt !== undefined : parts.receiver?.times.commandDoneAt !== undefined || parts.receiver?.times.commandError !== undefined;
    while (!acted() && Date.now() - deployedAt < GIVE_UP_MS) await sleep(100);
    if (acted()) await project.waitServing('baseline', 60_000).catch(() => undefined);
    await sleep(TAIL_MS);
    const result = await load.stop();

    const onsetAt = firstServerErrorAt(result);
    if (onsetAt === undefined) throw new Error(`${name}: the fault never produced a 5xx`);
    const sw = recorder?.switches[0];
    if (sw?.error !== undefined) console.warn(`${name}: the switch failed: ${sw.error}`);
    if (parts.receiver?.times.commandError !== undefined) console.warn(`${name}: the DIY command failed: ${parts.receiver.times.commandError}`);
    const decisionAt = chain === 'guardrail' ? sw?.calledAt : parts.receiver?.times.receivedAt;
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
      verifiedAt: chain === 'guardrail' ? sw?.verifiedAt : parts.receiver?.times.commandDoneAt,
      firstBaselineAt,
      recoveredAt: firstBaselineAt === undefined ? undefined : errorRateBackUnder(result, 0.01, onsetAt),
      load: result,
    };
  } finally {
    await cleanup(parts);
  }
}

const since = (from: number, at: number | undefined): number | undefined => (at === undefined ? undefined : (at - from) / 1000);
const s1 = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(1));
const medianOf = (xs: readonly (number | undefined)[]): number | undefined => {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length === 0 ? undefined : median(known);
};

/** Failed requests sent from `fromMs` on (the bad deploy's own restart gap comes before onset). */
function failedFrom(load: LoadResult, fromMs: number): number {
  return load.buckets.filter(([at]) => at >= Math.floor(fromMs / 100) * 100).reduce((n, [, , failed]) => n + failed, 0);
}

function describe(o: Outcome): string {
  return (
    `breach +${s1(since(o.onsetAt, o.firstBreachAt))} s, condition held +${s1(since(o.onsetAt, o.conditionHeldAt))} s, decision +${s1(since(o.onsetAt, o.decisionAt))} s ` +
    `(${s1(since(o.conditionHeldAt ?? Number.NaN, o.decisionAt))} s after the condition held), verified +${s1(since(o.onsetAt, o.verifiedAt))} s, ` +
    `first baseline +${s1(since(o.onsetAt, o.firstBaselineAt))} s, <1% errors +${s1(since(o.onsetAt, o.recoveredAt))} s; ` +
    `failed after onset ${failedFrom(o.load, o.onsetAt)}, errors of the whole run ${JSON.stringify(o.load.errors)}`
  );
}

function table(all: readonly Outcome[]): string {
  const rows: string[][] = [];
  for (const scenario of Object.values(SCENARIOS)) {
    const per = (chain: ChainName) => all.filter((o) => o.chain === chain && o.scenario === scenario.name);
    const stat = (chain: ChainName, pick: (o: Outcome) => number | undefined) => medianOf(per(chain).map(pick));
    for (const chain of ['guardrail', 'diy'] as const) {
      const os = per(chain);
      if (os.length === 0) continue;
      rows.push([
        scenario.name,
        chain,
        String(os.length),
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
    const g = stat('guardrail', (o) => since(o.onsetAt, o.decisionAt));
    const d = stat('diy', (o) => since(o.onsetAt, o.decisionAt));
    const gr = stat('guardrail', (o) => since(o.onsetAt, o.recoveredAt));
    const dr = stat('diy', (o) => since(o.onsetAt, o.recoveredAt));
    if (g !== undefined && d !== undefined && gr !== undefined && dr !== undefined) {
      rows.push([scenario.name, 'ratio diy/guardrail', '', '', '', `×${(d / g).toFixed(2)}`, '', '', '', '', `×${(dr / gr).toFixed(2)}`]);
    }
  }
  return markdownTable(
    ['scenario', 'chain', 'runs', 'first breach s', 'condition held s', 'decision s', 'decision − condition held s', 'decision → verified s', 'baseline verified s', 'first baseline answer s', 'errors < 1% s'],
    rows,
  );
}

async function benchmark(): Promise<void> {
  await removeLeftovers(PREFIX);
  const { image, note, realService } = await chooseBenchImage(`${PREFIX}-probe`);
  if (!realService) throw new Error(`bench:mitigation needs the real service image (fault injection): ${note}`);
  const scenarios = (process.env['BENCH_SCENARIOS'] ?? 'hard,seed').split(',') as ScenarioName[];
  const chains = (process.env['BENCH_CHAINS'] ?? 'guardrail,diy').split(',') as ChainName[];
  console.log(`bench:mitigation — image ${image}; ${RPS} rps from the host; Prometheus scrape 1 s\n${machineLine()}`);
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
