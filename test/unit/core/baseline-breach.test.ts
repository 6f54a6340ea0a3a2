// "The baseline breaches too" (issue #14): after a verified rollback a good reason that keeps firing on the
// baseline's own data raises ONE CRITICAL per episode, resolved when the reason is OK again or by the
// roll-forward. Exact command lists per tick, on the pure engine.
import { describe, expect, it } from 'vitest';
import { decide, initialState, type Command, type EngineEvent, type Policy, type Sample, type TargetState } from '../../../controller/core/index.js';
import { MIN, SEC, T0, testPolicy, tick, v } from './fixtures.js';

const base = testPolicy();
const [errorsReason, ...otherReasons] = base.reasons;
if (errorsReason === undefined) throw new Error('fixture policy without reasons');
const errorsCondition = errorsReason.conditions[0];
if (errorsCondition === undefined) throw new Error('fixture reason without a condition');
// for 2m on a 5m window: the baseline's own breach needs max(for, window) = 5 m after the verification.
const policy: Policy = testPolicy({ reasons: [{ ...errorsReason, conditions: [{ ...errorsCondition, forMs: 2 * MIN, window: '5m' }] }, ...otherReasons] });

const errors = (sample: Sample): EngineEvent => tick({ 'reasons.errors': sample });
const brief = (commands: readonly Command[]) =>
  commands.map((c) => (c.type === 'notify' ? `${c.alert.resolvedAtMs === undefined ? 'notify' : 'resolve'} ${c.alert.name}` : c.type === 'record' ? `record ${c.action}` : `${c.type} ${c.evidence.reason}`));

class Run {
  state: TargetState = initialState(policy, T0);
  readonly log: string[] = [];

  step(atMs: number, event: EngineEvent): readonly Command[] {
    const d = decide(policy, this.state, event, T0 + atMs);
    this.state = d.state;
    for (const line of brief(d.commands)) this.log.push(`${atMs / SEC}s ${line}`);
    return d.commands;
  }

  ticks(fromMs: number, toMs: number, event: EngineEvent): void {
    for (let t = fromMs; t <= toMs; t += 15 * SEC) this.step(t, event);
  }

  /** Rolls back on a 2-minute breach and verifies 10 s later (at 130 s). */
  static rolledBack(): Run {
    const run = new Run();
    run.ticks(0, 2 * MIN, errors(v(0.2)));
    const id = run.state.rollback?.rollbackId ?? '';
    run.step(2 * MIN + 10 * SEC, { type: 'actuation_succeeded', action: 'rollback', rollbackId: id });
    return run;
  }
}

describe('the baseline breaches too', () => {
  it('one CRITICAL once for and the window have passed after the verification, with the numbers', () => {
    const run = Run.rolledBack();
    expect(run.state).toMatchObject({ phase: 'rolled_back', rollback: { verifiedAtMs: T0 + 130 * SEC } });
    run.log.length = 0;
    run.ticks(135 * SEC, 420 * SEC, errors(v(0.3)));
    expect(run.log).toEqual([]);
    const [raised] = run.step(435 * SEC, errors(v(0.3)));
    expect(raised).toMatchObject({
      type: 'notify',
      alert: {
        name: 'GuardrailBaselineBreaching',
        severity: 'critical',
        dedupKey: `baseline-breaching:svc:${run.state.rollback?.rollbackId}`,
        labels: { reason: 'errors', rollbackId: run.state.rollback?.rollbackId },
        startsAtMs: T0 + 435 * SEC,
      },
    });
    if (raised?.type !== 'notify') throw new Error('no alert');
    expect(raised.alert.summary).toBe('svc still breaches errors on baseline: the rollback did not help — investigate the baseline');
    expect(raised.alert.description).toContain('reasons.errors: 0.3 above 0.05');
    run.ticks(450 * SEC, 600 * SEC, errors(v(0.3)));
    expect(run.log).toEqual(['435s notify GuardrailBaselineBreaching']);
    expect(run.state.phase).toBe('rolled_back');
  });

  it('a breach that ends within max(for, window) is the ML model still in the window: nothing', () => {
    const run = Run.rolledBack();
    run.log.length = 0;
    run.ticks(135 * SEC, 420 * SEC, errors(v(0.3)));
    run.ticks(435 * SEC, 900 * SEC, errors(v(0.01)));
    expect(run.log).toEqual([]);
  });

  it('UNKNOWN keeps it open; OK resolves it; a new sustained breach is a new episode; the roll-forward resolves it', () => {
    const run = Run.rolledBack();
    run.ticks(135 * SEC, 435 * SEC, errors(v(0.3)));
    run.log.length = 0;
    run.ticks(450 * SEC, 465 * SEC, errors({ kind: 'unknown', cause: 'timeout', detail: 'slow' })); // blindAfter is 3
    expect(run.log).toEqual([]);
    run.step(480 * SEC, errors(v(0.01)));
    expect(run.log).toEqual(['480s resolve GuardrailBaselineBreaching']);
    expect(run.state.rollback?.baselineBreach).toBeUndefined();
    run.ticks(495 * SEC, 630 * SEC, errors(v(0.3)));
    expect(run.log).toEqual(['480s resolve GuardrailBaselineBreaching', '615s notify GuardrailBaselineBreaching']);
    run.log.length = 0;
    run.step(640 * SEC, { type: 'manual_rollforward', actor: 'alice', reason: 'baseline investigated' });
    run.step(650 * SEC, { type: 'actuation_succeeded', action: 'rollforward', rollbackId: run.state.rollback?.rollbackId ?? '' });
    expect(run.log).toEqual([
      '640s rollforward manual',
      '650s notify GuardrailRolledForward',
      '650s resolve GuardrailRollbackStarted',
      '650s resolve GuardrailBaselineBreaching',
    ]);
  });

  it('a state saved before verifiedAtMs existed counts from the rolled_back phase start', () => {
    const run = Run.rolledBack();
    const { verifiedAtMs: _dropped, ...legacy } = run.state.rollback ?? { rollbackId: '', startedAtMs: 0, reason: '', trigger: { kind: 'automatic' as const }, warningsSent: 0 };
    run.state = { ...run.state, rollback: legacy, phaseSinceMs: T0 + 200 * SEC };
    run.log.length = 0;
    run.ticks(210 * SEC, 495 * SEC, errors(v(0.3)));
    expect(run.log).toEqual([]);
    run.step(510 * SEC, errors(v(0.3)));
    expect(run.log).toEqual(['510s notify GuardrailBaselineBreaching']);
  });
});
