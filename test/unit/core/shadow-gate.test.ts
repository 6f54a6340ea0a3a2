// The roll-forward gate in the engine: judged each tick while rolled back (and only then), an automatic
// roll-forward exactly when every bound has been OK for `for`, never on UNKNOWN or in manual mode, and a
// manual roll-forward refused while a bound breaches unless forced. Exact commands, sample-controller style.
import { describe, expect, it } from 'vitest';
import { decide, initialState, type Command, type EngineEvent, type Policy, type TargetState } from '../../../controller/core/index.js';
import { MIN, SEC, T0, gateOk, shadowPolicy, testPolicy, tick, v } from './fixtures.js';

const auto = shadowPolicy('automatic');
const manual = shadowPolicy('manual');
const alice = { actor: 'alice', reason: 'model fixed' };

/** Rolled back by hand at T0 and verified: the candidate runs in shadow from now on. */
function rolledBack(p: Policy): TargetState {
  const started = decide(p, initialState(p, T0), { type: 'manual_rollback', ...alice }, T0).state;
  const id = started.rollback?.rollbackId ?? '';
  const verified = decide(p, started, { type: 'actuation_succeeded', action: 'rollback', rollbackId: id }, T0).state;
  expect(verified.phase).toBe('rolled_back');
  return verified;
}

/** Ticks every 15 s from `fromMs` (after T0) for `count` ticks; the state and the commands of each tick. */
function ticks(p: Policy, state: TargetState, fromMs: number, count: number, event: EngineEvent) {
  let current = state;
  const log: { at: number; commands: readonly Command[] }[] = [];
  for (let i = 0; i < count; i++) {
    const d = decide(p, current, event, T0 + fromMs + i * 15 * SEC);
    current = d.state;
    log.push({ at: fromMs + i * 15 * SEC, commands: d.commands });
  }
  return { state: current, log };
}

const bad = tick(gateOk({ 'rollforward.gate.errorRatio': v(0.4) }));
const good = tick(gateOk());

describe('automatic roll-forward on the shadow gate', () => {
  it('a candidate that does not run (failed) is never promoted, and a manual roll-forward is refused unless forced', () => {
    const failed = ticks(auto, rolledBack(auto), 15 * SEC, 60, { ...good, candidate: { notReady: 'failed: exited with code 1', failed: true } });
    expect(failed.log.flatMap((l) => l.commands)).toEqual([]);
    expect(failed.state.shadowGate?.verdict).toBe('breach');
    const manualAt = T0 + 16 * MIN;
    expect(decide(auto, failed.state, { type: 'manual_rollforward', ...alice }, manualAt).refused).toBeDefined();
    expect(decide(auto, failed.state, { type: 'manual_rollforward', ...alice, force: true }, manualAt).commands.map((c) => c.type)).toEqual(['rollforward']);
  });

  it('a booting candidate (not verified serving) is UNKNOWN, not BREACH: its boot never resets the evidence it shows once verified', () => {
    const booting = ticks(auto, rolledBack(auto), 15 * SEC, 8, { ...bad, candidate: { notReady: 'starting: created beside api-1' } });
    expect(booting.log.flatMap((l) => l.commands)).toEqual([]);
    expect(booting.state.shadowGate?.verdict).toBe('unknown');
    // Verified at 2m15s; from the next tick on its (clipped) evidence is good: promoted exactly `for` later.
    const from = 15 * SEC + 8 * 15 * SEC;
    const verified = ticks(auto, booting.state, from, 41, { ...good, candidate: { readySinceMs: T0 + from - 5 * SEC } });
    expect(verified.log.slice(0, 40).flatMap((l) => l.commands)).toEqual([]);
    expect(verified.log[40]?.commands.map((c) => c.type)).toEqual(['rollforward']);
    expect(verified.log[40]?.at).toBe(from + 10 * MIN);
  });

  it('a failing candidate is never promoted; once fixed, it is exactly when the gate has passed for 10 minutes', () => {
    const failing = ticks(auto, rolledBack(auto), 15 * SEC, 80, bad); // 20 minutes of errors
    expect(failing.log.flatMap((l) => l.commands)).toEqual([]);
    expect(failing.state.phase).toBe('rolled_back');
    expect(failing.state.shadowGate?.verdict).toBe('breach');

    const from = 15 * SEC + 80 * 15 * SEC;
    const fixed = ticks(auto, failing.state, from, 41, good);
    expect(fixed.log.slice(0, 40).flatMap((l) => l.commands)).toEqual([]);
    const last = fixed.log[40];
    expect(last?.at).toBe(from + 10 * MIN);
    const [rollforward, ...rest] = last?.commands ?? [];
    expect(rest).toEqual([]);
    expect(rollforward).toMatchObject({ type: 'rollforward', value: null, evidence: { reason: 'shadow-gate-passed', trigger: { kind: 'automatic' } } });
    const evidence = rollforward?.type === 'rollforward' ? rollforward.evidence.conditions : [];
    expect(evidence.map((c) => [c.conditionId, c.value, c.sustainedMs])).toEqual([
      ['rollforward.gate.requests', 600, 10 * MIN],
      ['rollforward.gate.errorRatio', 0.005, 10 * MIN],
      ['rollforward.gate.p95Seconds', 0.2, 10 * MIN],
      ['rollforward.gate.agreement', 0.95, 10 * MIN],
    ]);
    expect(fixed.state.phase).toBe('rolling_forward');
  });

  it('after the roll-forward the gate is forgotten and the baking window (cooldown) starts', () => {
    const passed = ticks(auto, rolledBack(auto), 15 * SEC, 41, good).state;
    expect(passed.phase).toBe('rolling_forward');
    const atMs = T0 + 11 * MIN;
    const d = decide(auto, passed, { type: 'actuation_succeeded', action: 'rollforward', rollbackId: passed.rollback?.rollbackId ?? '' }, atMs);
    expect(d.state.phase).toBe('watching');
    expect(d.state.shadowGate).toBeUndefined();
    expect(d.state.cooldownUntilMs).toBe(atMs + auto.limits.cooldownMs);
  });

  it('UNKNOWN evidence never rolls forward: too few mirrored requests for 50 minutes', () => {
    const quiet = ticks(auto, rolledBack(auto), 15 * SEC, 200, tick(gateOk({ 'rollforward.gate.requests': v(499) })));
    expect(quiet.log.flatMap((l) => l.commands)).toEqual([]);
    expect(quiet.state.shadowGate?.verdict).toBe('unknown');
  });

  it('no gate samples at all (no shadow metrics) never rolls forward either', () => {
    const blind = ticks(auto, rolledBack(auto), 15 * SEC, 60, tick());
    expect(blind.log.flatMap((l) => l.commands)).toEqual([]);
    expect(blind.state.phase).toBe('rolled_back');
  });

  it('the gate rolls forward even while a reason fires on the baseline: the candidate was measured, not the baseline', () => {
    const firing = ticks(auto, rolledBack(auto), 15 * SEC, 41, tick(gateOk({ 'reasons.errors': v(0.5) })));
    expect(firing.log[4]?.commands.map((c) => (c.type === 'notify' ? c.alert.name : c.type))).toEqual(['GuardrailBaselineBreaching']);
    expect(firing.log[40]?.commands.map((c) => c.type)).toEqual(['rollforward']);
  });

  it('in manual mode a passing gate is evidence only: no automatic roll-forward', () => {
    const passing = ticks(manual, rolledBack(manual), 15 * SEC, 120, good);
    expect(passing.log.flatMap((l) => l.commands)).toEqual([]);
    expect(passing.state.shadowGate?.verdict).toBe('ok');
  });

  it('the gate is judged only on the baseline: not while watching, and its bounds join the tick verdicts only then', () => {
    const watching = decide(auto, initialState(auto, T0), good, T0);
    expect(watching.state.shadowGate).toBeUndefined();
    expect(watching.verdicts.some((x) => x.conditionId.startsWith('rollforward.gate.'))).toBe(false);
    const onBaseline = decide(auto, rolledBack(auto), good, T0 + 15 * SEC);
    expect(onBaseline.verdicts.filter((x) => x.conditionId.startsWith('rollforward.gate.')).map((x) => x.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('a pause on the baseline keeps judging the gate (and holds the roll-forward); resume lets it act', () => {
    const paused = decide(auto, rolledBack(auto), { type: 'pause', ...alice, untilMs: T0 + 2 * 60 * MIN }, T0).state;
    const during = ticks(auto, paused, 15 * SEC, 60, good);
    expect(during.log.flatMap((l) => l.commands)).toEqual([]);
    expect(during.state.shadowGate?.passingSinceMs).toBe(T0 + 15 * SEC);
    const resumed = decide(auto, during.state, { type: 'resume', ...alice }, T0 + 16 * MIN).state;
    expect(decide(auto, resumed, good, T0 + 16 * MIN).commands.map((c) => c.type)).toEqual(['rollforward']);
  });
});

describe('manual roll-forward and the shadow evidence', () => {
  const breaching = () => ticks(manual, rolledBack(manual), 15 * SEC, 4, bad).state;

  it('refused while a bound breaches, with no commands', () => {
    const d = decide(manual, breaching(), { type: 'manual_rollforward', ...alice }, T0 + MIN + SEC);
    expect(d.refused?.reason).toBe('the shadow candidate breaches the roll-forward gate; roll forward anyway with force');
    expect(d.commands).toEqual([]);
    expect(d.state.phase).toBe('rolled_back');
  });

  it('forced: rolls forward, and the evidence records the breaching bounds the operator overrode', () => {
    const d = decide(manual, breaching(), { type: 'manual_rollforward', ...alice, force: true }, T0 + MIN + SEC);
    expect(d.refused).toBeUndefined();
    const [command] = d.commands;
    expect(command).toMatchObject({ type: 'rollforward', evidence: { reason: 'manual', trigger: { kind: 'manual', actor: 'alice' } } });
    const conditions = command?.type === 'rollforward' ? command.evidence.conditions : [];
    expect(conditions.find((c) => c.conditionId === 'rollforward.gate.errorRatio')?.value).toBe(0.4);
  });

  it('UNKNOWN evidence does not refuse: the operator decides (the API adds a warning)', () => {
    const unknown = ticks(manual, rolledBack(manual), 15 * SEC, 4, tick()).state;
    expect(unknown.shadowGate?.verdict).toBe('unknown');
    const d = decide(manual, unknown, { type: 'manual_rollforward', ...alice }, T0 + MIN + SEC);
    expect(d.commands.map((c) => c.type)).toEqual(['rollforward']);
  });

  it('a policy without a shadow never refuses a roll-forward on a gate', () => {
    const plain = testPolicy();
    const state = { ...breaching(), policy: plain.name };
    expect(decide(plain, state, { type: 'manual_rollforward', ...alice }, T0 + MIN + SEC).commands.map((c) => c.type)).toEqual(['rollforward']);
  });
});
