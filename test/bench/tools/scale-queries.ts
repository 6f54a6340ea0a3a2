// Prometheus's own share of a bench:scale tick: each rule shape's grouped query for N synthetic services
// (as 2 groups of N/2, the adapter's default group size at N = 1000, and as 1 group of N), sent one at a
// time with `stats=all`, after 40 s of 1 s scrapes. Prints the wall time and Prometheus's evalTotalTime.
//   npx tsx test/bench/tools/scale-queries.ts [N=1000]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { analyzeForLabel, groupedQueryText } from '../../../controller/adapters/prometheus/grouping.js';
import { startPrometheus } from '../../helpers/real-prometheus.js';
import { LIB_DIR } from '../lib/load.js';
import { BenchLoad } from '../lib/machine.js';
import { RULE_SHAPES, type RuleShape } from '../lib/scale-policy.js';

const N = Number(process.argv[2] ?? 1000);

function grouped(shape: RuleShape, members: readonly string[]): string {
  const analysis = analyzeForLabel(shape.perTarget(members[0] ?? ''), 'service');
  if (!analysis.ok) throw new Error(`${shape.name}: ${analysis.reason}`);
  return groupedQueryText(analysis.query, members);
}

async function timed(url: string, promql: string): Promise<{ wallMs: number; evalMs: number }> {
  const started = performance.now();
  const res = await fetch(`${url}/api/v1/query?stats=all&query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { data?: { stats?: { timings?: { evalTotalTime?: number } } } };
  return { wallMs: performance.now() - started, evalMs: (body.data?.stats?.timings?.evalTotalTime ?? Number.NaN) * 1000 };
}

const load = new BenchLoad();
console.log(`scale-queries — ${N} services; ${load.startLine()}`);
const exporter = spawn(process.execPath, [join(LIB_DIR, 'synthetic-exporter.mjs'), String(N), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve) => exporter.stdout.once('data', (c: Buffer) => resolve((JSON.parse(c.toString()) as { port: number }).port)));
const prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${port}`], scrapeIntervalSec: 1 });
try {
  await prometheus.waitForSample(`count(model_info) == ${N}`, Math.max(30_000, N * 20));
  await new Promise((resolve) => setTimeout(resolve, 40_000));
  const services = Array.from({ length: N }, (_, i) => `svc-${i}`);
  const splits = { [`2 × ${N / 2}`]: [services.slice(0, N / 2), services.slice(N / 2)], [`1 × ${N}`]: [services] };
  console.log('| rule | groups | wall ms | Prometheus eval ms |\n|---|---|---:|---:|');
  for (const shape of RULE_SHAPES) {
    for (const [label, groups] of Object.entries(splits)) {
      let wallMs = 0;
      let evalMs = 0;
      for (const members of groups) {
        await timed(prometheus.url, grouped(shape, members)); // warm-up
        const t = await timed(prometheus.url, grouped(shape, members));
        wallMs += t.wallMs;
        evalMs += t.evalMs;
      }
      console.log(`| ${shape.name} | ${label} | ${wallMs.toFixed(0)} | ${evalMs.toFixed(0)} |`);
    }
  }
  console.log(load.endLine());
} finally {
  await prometheus.stop();
  exporter.kill('SIGTERM');
}
