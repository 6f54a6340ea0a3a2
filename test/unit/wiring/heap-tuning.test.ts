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
    // Rounds of garbage that outlives the young generation beside a live 30 MiB: the heap V8 lets grow is
    // smaller with the step set (here 154 MiB without it, 112 MiB with it).
    const script = (set: boolean): string =>
      `${set ? "require('node:v8').setFlagsFromString('--heap-growing-percent=50');" : ''}
       const live = Array.from({ length: 300 }, () => 'x'.repeat(100_000) + Math.random());
       let peak = 0, keep = [];
       for (let r = 0; r < 15; r++) { keep = Array.from({ length: 200_000 }, (_, i) => ({ i, s: 'v' + i })); peak = Math.max(peak, process.memoryUsage().heapTotal); }
       console.log(JSON.stringify({ peak, live: live.length, kept: keep.length }));`;
    const peak = (set: boolean): number => {
      const out = spawnSync(process.execPath, ['-e', script(set)], { encoding: 'utf8' });
      expect(out.status).toBe(0);
      return (JSON.parse(out.stdout) as { peak: number }).peak;
    };
    expect(peak(true)).toBeLessThan(peak(false));
  }, 60_000);
});
