// scratch: record one 1000-target tick's answers for replay (not committed)
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startPrometheus } from '../../helpers/real-prometheus.js';
import { LIB_DIR } from '../lib/load.js';
import { buildScaleWorker, SCALE_WORKER } from '../lib/scale-worker-build.js';
const targets = Number(process.argv[2] ?? 1000);
const file = process.argv[3] ?? '/work/scratch/replay-1000.json';
const exporter = spawn(process.execPath, [join(LIB_DIR, 'synthetic-exporter.mjs'), String(targets), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((ok) => exporter.stdout.once('data', (c: Buffer) => ok((JSON.parse(c.toString()) as { port: number }).port)));
const prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${port}`], scrapeIntervalSec: 1 });
await prometheus.waitForSample(`count(model_info) == ${targets}`, 60_000);
await new Promise((r) => setTimeout(r, 70_000));
const rec = spawn(process.execPath, [join(import.meta.dirname, 'replay-prometheus.mjs'), 'record', prometheus.url, file], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((ok) => rec.stdout.once('data', (c: Buffer) => ok(c.toString().trim().split(' ')[1] ?? '')));
const dir = await buildScaleWorker();
const w = spawn(process.execPath, [join(dir, SCALE_WORKER.replace(/\.ts$/, '.js')), 'grouping-on', String(targets), url, '1', '1000'], { stdio: 'inherit' });
await new Promise((r) => w.once('exit', r));
rec.kill(); exporter.kill(); await prometheus.stop();
