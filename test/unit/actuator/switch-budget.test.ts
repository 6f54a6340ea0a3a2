import { describe, expect, it } from 'vitest';
import { RESTORE_MAX_TIMEOUT_MS, RESTORE_MIN_TIMEOUT_MS, switchBudget } from '../../../controller/ports/actuator.js';
import type { VerifySpec } from '../../../controller/core/index.js';

// A failed switch costs at most the policy's verify timeout in verification, restore included (it cost a
// whole timeout for the new instance and another for the old one).

const verify = (timeoutMs: number): VerifySpec => ({ port: 8000, healthPath: '/health', versionPath: '/version', variantField: 'model_variant', absentVariant: 'ml', timeoutMs });

describe('switchBudget', () => {
  it.each([
    [60_000, 45_000, 15_000],
    [30_000, 22_500, 7_500],
    [20_000, 15_000, 5_000],
    [8_000, 4_000, 4_000],
    [5_000, 2_500, 2_500],
    [120_000, 105_000, 15_000],
  ])('timeout %i ms: new %i ms + restore %i ms', (timeoutMs, verifyNewMs, restoreMs) => {
    expect(switchBudget(verify(timeoutMs))).toEqual({ verifyNewMs, restoreMs });
  });

  it('never spends more than the timeout, and never less than half of it on the new instance', () => {
    for (let t = 1_000; t <= 300_000; t += 1_000) {
      const b = switchBudget(verify(t));
      expect(b.verifyNewMs + b.restoreMs).toBe(t);
      expect(b.verifyNewMs).toBeGreaterThanOrEqual(t / 2);
      expect(b.restoreMs).toBeLessThanOrEqual(RESTORE_MAX_TIMEOUT_MS);
      if (t >= 2 * RESTORE_MIN_TIMEOUT_MS) expect(b.restoreMs).toBeGreaterThanOrEqual(RESTORE_MIN_TIMEOUT_MS);
    }
  });
});
