import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { growthStepGiven } from '../../../controller/wiring/heap-tuning.js';

describe('the controller heap growth step', () => {
  it("keeps an operator's own --heap-growing-percent (either spelling), and only that flag counts", () => {
    expect(growthStepGiven(['--heap-growing-percent=80'])).toBe(true);
    expect(growthStepGiven(['--heap_growing_percent', '80'])).toBe(true);
    expect(growthStepGiven(['--max-old-space-size=512', '--enable-source-maps'])).toBe(false);
    expect(growthStepGiven([])).toBe(false);
  });

  it('is a flag V8 takes while running (setFlagsFromString), so start-up can set it', () => {
    // A heap that grows to ~300 MiB of live arrays: with the step set, V8 raises its limit less after each
    // full GC, so it runs more of them (on Node 20, 22 and 24 alike: 4 against 2, and 2 against 1 on 24).
    // The count of full GCs is exact where the peak heap size was not (it moved with the timing on 22 and 24).
    const script = (set: boolean): string =>
      `${set ? "require('node:v8').setFlagsFromString('--heap-growing-percent=50');" : ''}
       const { PerformanceObserver, constants } = require('node:perf_hooks');
       let full = 0;
       new PerformanceObserver((list) => {
         for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full++;
       }).observe({ entryTypes: ['gc'] });
       const live = [];
       for (let r = 0; r < 300; r++) live.push(new Array(125_000).fill(r + 0.5));
       setTimeout(() => console.log(JSON.stringify({ full, live: live.length })), 50);`;
    const fullGcs = (set: boolean): number => {
      const out = spawnSync(process.execPath, ['-e', script(set)], { encoding: 'utf8' });
      expect(out.status).toBe(0);
      return (JSON.parse(out.stdout) as { full: number }).full;
    };
    const withoutStep = fullGcs(false);
    expect(fullGcs(true)).toBeGreaterThan(withoutStep);
  }, 60_000);
});
