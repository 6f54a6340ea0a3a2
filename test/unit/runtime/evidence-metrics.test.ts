import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

// What the controller's /metrics (the runtime's registry) shows of the evidence, tick by tick: every
// guardrail_condition_* line exactly, and that a reload that drops a condition or a target drops its series.

let h: Harness;
afterEach(async () => h.cleanup());

const ERR = 'target="demo",condition="reasons.high-error-rate"';
const LAT = 'target="demo",condition="reasons.latency-above-slo"';

async function scrape(): Promise<string> {
  return h.runtime.metrics.registry.metrics();
}

/** The evidence series of one condition, in exposition order, without HELP/TYPE lines. */
async function conditionLines(labels: string): Promise<string[]> {
  return (await scrape()).split('\n').filter((line) => line.startsWith('guardrail_condition_') && line.includes(`{${labels}`));
}

const evidence = (labels: string, e: { value?: string; threshold: string; state: 'ok' | 'breach' | 'unknown'; sustained: string; forS: string }): string[] => [
  ...(e.value === undefined ? [] : [`guardrail_condition_value{${labels}} ${e.value}`]),
  `guardrail_condition_threshold{${labels}} ${e.threshold}`,
  `guardrail_condition_above{${labels}} 1`,
  ...(['ok', 'breach', 'unknown'] as const).map((s) => `guardrail_condition_state{${labels},state="${s}"} ${s === e.state ? 1 : 0}`),
  `guardrail_condition_sustained_seconds{${labels}} ${e.sustained}`,
  `guardrail_condition_for_seconds{${labels}} ${e.forS}`,
];

async function rewritePolicy(edit: (yaml: string) => string): Promise<void> {
  const file = join(h.policiesDir, 'demo.yaml');
  await writeFile(file, edit(await readFile(file, 'utf8')));
  await h.runtime.reloadPolicies();
}

describe('evidence metrics on /metrics', () => {
  it('exports build info and process metrics, and no condition series before the first evaluation', async () => {
    h = await createHarness();
    const text = await scrape();
    expect(text).toMatch(/^guardrail_build_info\{version="\d+\.\d+\.\d+[^"]*",node="v\d+\.\d+\.\d+",revision="[^"]+"\} 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text.split('\n').filter((l) => l.startsWith('guardrail_condition_'))).toEqual([]);
  });

  it('shows each condition\'s value against its threshold, its verdict and its `for` progress, tick by tick', async () => {
    h = await createHarness();
    await h.tick();
    expect(await conditionLines(ERR)).toEqual(evidence(ERR, { value: '0', threshold: '0.05', state: 'ok', sustained: '0', forS: '6' }));
    expect(await conditionLines(LAT)).toEqual(evidence(LAT, { value: '0.05', threshold: '0.8', state: 'ok', sustained: '0', forS: '6' }));
    h.metrics.errorRatio(0.4);
    const progress: string[][] = [];
    for (let i = 0; i < 3; i++) {
      await h.tick();
      progress.push(await conditionLines(ERR));
    }
    expect(progress).toEqual([0, 2, 4].map((s) => evidence(ERR, { value: '0.4', threshold: '0.05', state: 'breach', sustained: String(s), forS: '6' })));
    h.metrics.blind();
    await h.tick();
    expect(await conditionLines(ERR)).toEqual(evidence(ERR, { threshold: '0.05', state: 'unknown', sustained: '0', forS: '6' }));
  });

  it('a reload that removes a condition removes its series; one that removes the target removes all of the target\'s', async () => {
    h = await createHarness();
    await h.tick();
    expect(await conditionLines(LAT)).toHaveLength(8);
    await rewritePolicy((y) => y.replace(/ {2}- name: latency-above-slo\n(?: {4}.*\n)+/, ''));
    expect(await conditionLines(LAT)).toEqual([]);
    expect(await conditionLines(ERR)).toHaveLength(8);
    expect(await scrape()).toMatch(/^guardrail_target_phase\{target="demo",phase="watching"\} 1$/m);

    await rewritePolicy((y) => y.replace(/^ {2}name: demo$/m, '  name: demo-renamed'));
    await h.tick();
    const text = await scrape();
    expect(text).not.toMatch(/target="demo"/);
    expect(text).toMatch(/^guardrail_condition_state\{target="demo-renamed",condition="reasons.high-error-rate",state="ok"\} 1$/m);
    expect(text).toMatch(/^guardrail_target_phase\{target="demo-renamed",phase="watching"\} 1$/m);
  });

  it('the gauges set only on a change (rollback_active, can_act) come back when a dropped target is named again', async () => {
    h = await createHarness();
    await h.tick();
    expect(await scrape()).toMatch(/^guardrail_rollback_active\{target="demo"\} 0$/m);
    expect(await scrape()).toMatch(/^guardrail_can_act\{target="demo"\} 1$/m);
    await rewritePolicy((y) => y.replace(/^ {2}name: demo$/m, '  name: demo-renamed'));
    await h.tick();
    expect(await scrape()).not.toMatch(/guardrail_(rollback_active|can_act)\{target="demo"\}/);
    await rewritePolicy((y) => y.replace(/^ {2}name: demo-renamed$/m, '  name: demo'));
    await h.tick();
    const text = await scrape();
    expect(text).toMatch(/^guardrail_rollback_active\{target="demo"\} 0$/m);
    expect(text).toMatch(/^guardrail_can_act\{target="demo"\} 1$/m);
  });
});
