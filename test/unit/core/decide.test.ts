import { describe, expect, it } from 'vitest';
import {
  decide,
  initialState,
  matchAlertmanager,
  nextWarningAtMs,
  queriesOf,
  warningsDue,
  type Command,
  type EngineEvent,
  type Policy,
  type TargetState,
} from '../../../controller/core/index.js';
import { HOUR, MIN, SEC, T0, testPolicy, tick, v } from './fixtures.js';

const policy = testPolicy();

/** Feeds events at times (ms after T0); returns the final state and the commands of each step. */
function play(p: Policy, steps: readonly [number, EngineEvent][], start: TargetState = initialState(p, T0)) {
  let state = start;
  const log: { at: number; commands: readonly Command[]; phase: string }[] = [];
  for (const [at, event] of steps) {
    const d = decide(p, state, event, T0 + at);
    state = d.state;
    log.push({ at, commands: d.commands, phase: state.phase });
  }
  return { state, log };
}

const every15s = (fromMs: number, toMs: number, event: EngineEvent): [number, EngineEvent][] => {
  const out: [number, EngineEvent][] = [];
  for (let t = fromMs; t <= toMs; t += 15 * SEC) out.push([t, event]);
  return out;
};

const brief = (commands: readonly Command[]) =>
  commands.map((c) => (c.type === 'notify' ? `${c.alert.resolvedAtMs === undefined ? 'notify' : 'resolve'} ${c.alert.name}` : `${c.type} ${c.type === 'record' ? c.reason : c.evidence.reason}`));

describe('decide: exact commands', () => {
  it('a healthy tick does nothing: no commands, state unchanged but for timers', () => {
    const d = decide(policy, initialState(policy, T0), tick(), T0);
    expect(d.commands).toEqual([]);
    expect(d.state.phase).toBe('watching');
    expect(d.verdicts.map((x) => [x.conditionId, x.status])).toEqual([
      ['reasons.errors', 'ok'],
      ['reasons.down', 'ok'],
      ['vetoes.deploy', 'ok'],
      ['alerts.Drift', 'ok'],
    ]);
  });

  it('a sustained breach rolls back with full evidence and a deterministic id', () => {
    const { log, state } = play(policy, every15s(0, MIN, tick({ 'reasons.errors': v(0.2) })));
    expect(log.slice(0, 4).every((l) => l.commands.length === 0)).toBe(true);
    const last = log[4];
    expect(last?.at).toBe(MIN);
    const [rollback, started] = last?.commands ?? [];
    expect(rollback).toEqual({
      type: 'rollback',
      target: policy.target,
      rollbackId: `rb-svc-${T0 + MIN}`,
      value: 'baseline',
      strategy: 'recreate',
      attempt: 1,
      evidence: {
        policy: 'svc',
        reason: 'errors',
        trigger: { kind: 'automatic' },
        atMs: T0 + MIN,
        conditions: [
          { conditionId: 'reasons.errors', query: policy.reasons[0]?.conditions[0]?.query, value: 0.2, comparison: 'above', threshold: 0.05, forMs: MIN, sustainedMs: MIN, window: '1m' },
        ],
      },
    });
    expect(started).toMatchObject({ type: 'notify', alert: { name: 'GuardrailRollbackStarted', severity: 'info', dedupKey: `rollback-started:svc:rb-svc-${T0 + MIN}` } });
    expect(state.phase).toBe('rolling_back');
    expect(state.rollback?.startedAtMs).toBe(T0 + MIN);
  });

  it('manual commands carry the actor and reason as evidence', () => {
    const d = decide(policy, initialState(policy, T0), { type: 'manual_rollback', actor: 'alice', reason: 'debug', policyReason: 'maintenance' }, T0);
    expect(d.commands[0]).toMatchObject({ type: 'rollback', evidence: { reason: 'maintenance', trigger: { kind: 'manual', actor: 'alice', reason: 'debug' } } });
  });

  it('a webhook for an unknown reason is refused without commands', () => {
    const d = decide(policy, initialState(policy, T0), { type: 'webhook', reason: 'nope', alertname: 'X', labels: {} }, T0);
    expect(d.commands).toEqual([]);
    expect(d.refused?.reason).toBe('unknown reason nope');
  });

  it('a stale actuation result is refused and changes nothing', () => {
    const start = decide(policy, initialState(policy, T0), { type: 'manual_rollback', actor: 'a', reason: 'r' }, T0).state;
    const d = decide(policy, start, { type: 'actuation_succeeded', action: 'rollback', rollbackId: 'rb-old' }, T0 + SEC);
    expect(d.state.phase).toBe('rolling_back');
    expect(d.refused?.reason).toContain('stale');
  });
});

describe('UNKNOWN', () => {
  it('never advances a `for` timer across a gap (reset)', () => {
    const { log } = play(policy, [
      [0, tick({ 'reasons.errors': v(0.2) })],
      [15 * SEC, tick({ 'reasons.errors': v(0.2) })],
      [30 * SEC, tick({ 'reasons.errors': { kind: 'unknown', cause: 'timeout', detail: '' } })],
      [45 * SEC, tick({ 'reasons.errors': v(0.2) })],
      [60 * SEC, tick({ 'reasons.errors': v(0.2) })],
      [105 * SEC, tick({ 'reasons.errors': v(0.2) })],
    ]);
    expect(log.map((l) => l.phase)).toEqual(['pending', 'pending', 'watching', 'pending', 'pending', 'rolling_back']);
  });

  it('freeze keeps the breach time seen before the gap, without counting the gap', () => {
    const frozen = testPolicy({ limits: { ...policy.limits, onMissingData: 'freeze' } });
    const { log } = play(frozen, [
      [0, tick({ 'reasons.errors': v(0.2) })],
      [30 * SEC, tick({ 'reasons.errors': v(0.2) })],
      [45 * SEC, tick({ 'reasons.errors': { kind: 'unknown', cause: 'no_data', detail: '' } })],
      [10 * MIN, tick({ 'reasons.errors': v(0.2) })],
      [10 * MIN + 15 * SEC, tick({ 'reasons.errors': v(0.2) })],
      [10 * MIN + 30 * SEC, tick({ 'reasons.errors': v(0.2) })],
    ]);
    // 30 s before the gap + 30 s after it = 60 s = for.
    expect(log.map((l) => l.phase)).toEqual(['pending', 'pending', 'watching', 'pending', 'pending', 'rolling_back']);
  });

  it('blind after N UNKNOWN ticks, resolved when data returns', () => {
    const unknown = tick({ 'reasons.errors': { kind: 'unknown', cause: 'unreachable', detail: 'ECONNREFUSED' } });
    const { log } = play(policy, [...every15s(0, 45 * SEC, unknown), [60 * SEC, tick()]]);
    expect(log.map((l) => brief(l.commands))).toEqual([[], [], ['notify GuardrailBlind'], [], ['resolve GuardrailBlind']]);
  });

  it('low traffic is not blindness', () => {
    const { log } = play(policy, every15s(0, 2 * MIN, tick({ 'evaluation.minRequests': v(1), 'reasons.errors': v(0.9) })));
    expect(log.flatMap((l) => l.commands)).toEqual([]);
  });

  it('a quiet night (no requests: the guard and the ratio both empty) never pages', () => {
    const empty = { kind: 'unknown' as const, cause: 'no_data' as const, detail: 'empty vector' };
    const quiet = tick({ 'evaluation.minRequests': empty, 'reasons.errors': empty });
    const { log } = play(policy, every15s(0, 30 * MIN, quiet));
    expect(log.flatMap((l) => l.commands)).toEqual([]);
    expect(log.at(-1)?.phase).toBe('watching');
  });

  it('traffic flowing while the ratio has no data is blindness', () => {
    const noData = tick({ 'evaluation.minRequests': v(500), 'reasons.errors': { kind: 'unknown', cause: 'no_data', detail: 'empty vector' } });
    const { log } = play(policy, every15s(0, 45 * SEC, noData));
    expect(log.map((l) => brief(l.commands))).toEqual([[], [], ['notify GuardrailBlind'], []]);
  });

  it('a veto with onUnknown: block holds while it is unknown', () => {
    const blocking = testPolicy({ vetoes: [{ ...policy.vetoes[0]!, onUnknown: 'block' }] });
    const unknownVeto = { 'reasons.errors': v(0.2), 'vetoes.deploy': { kind: 'unknown' as const, cause: 'timeout' as const, detail: '' } };
    const { log } = play(blocking, every15s(0, MIN, tick(unknownVeto)));
    expect(brief(log[2]?.commands ?? [])).toEqual(['notify GuardrailBlind']);
    expect(brief(log[4]?.commands ?? [])).toEqual(['notify GuardrailRollbackHeld']);
    expect(log[4]?.phase).toBe('pending');
  });
});

describe('limits as tables', () => {
  const firingState = (over: Partial<TargetState>): TargetState => ({
    ...initialState(policy, T0),
    phase: 'pending',
    timers: { 'reasons.errors': { sustainedMs: MIN, lastBreachAtMs: T0 + HOUR - 15 * SEC, frozen: false } },
    ...over,
  });
  const now = T0 + HOUR;

  // The cooldown after a roll-forward is a baking window, not a blind spot: it holds a warning reason only.
  const warningErrors: Policy = { ...policy, reasons: policy.reasons.map((r) => (r.name === 'errors' ? { ...r, severity: 'warning' as const } : r)) };
  it.each([
    ['no cooldown', null, 'rolling_back', 'rolling_back'],
    ['cooldown still running', now + 1, 'pending', 'rolling_back'],
    ['cooldown ends exactly now', now, 'rolling_back', 'rolling_back'],
    ['cooldown over', now - 1, 'rolling_back', 'rolling_back'],
  ] as const)('cooldown: %s (warning reason → %s, critical reason → %s)', (_name, cooldownUntilMs, warningPhase, criticalPhase) => {
    expect(decide(warningErrors, firingState({ cooldownUntilMs }), tick({ 'reasons.errors': v(0.2) }), now).state.phase).toBe(warningPhase);
    expect(decide(policy, firingState({ cooldownUntilMs }), tick({ 'reasons.errors': v(0.2) }), now).state.phase).toBe(criticalPhase);
  });

  it('a hold names the limit and until when', () => {
    const cooldown = decide(warningErrors, firingState({ cooldownUntilMs: now + 5 * MIN }), tick({ 'reasons.errors': v(0.2) }), now);
    expect(cooldown.state.hold?.detail).toBe(`limits.cooldown after the roll-forward, until ${new Date(now + 5 * MIN).toISOString()}`);
    const limited = decide(policy, firingState({ automaticRollbacksMs: [now - 10 * MIN, now - 20 * MIN] }), tick({ 'reasons.errors': v(0.2) }), now);
    expect(limited.state.hold?.detail).toBe(
      `limits.maxRollbacksPerHour: 2 automatic rollbacks in the last hour (max 2), until ${new Date(now - 20 * MIN + HOUR).toISOString()}`,
    );
  });

  it.each([
    ['none in the last hour', [], 'rolling_back'],
    ['one in the last hour', [now - 10 * MIN], 'rolling_back'],
    ['two in the last hour (max 2)', [now - 10 * MIN, now - 20 * MIN], 'pending'],
    ['two, one exactly an hour old', [now - HOUR, now - 20 * MIN], 'rolling_back'],
  ] as const)('max per hour: %s', (_name, automaticRollbacksMs, phase) => {
    const d = decide(policy, firingState({ automaticRollbacksMs }), tick({ 'reasons.errors': v(0.2) }), now);
    expect(d.state.phase).toBe(phase);
    if (phase === 'pending') expect(brief(d.commands)).toEqual(['notify GuardrailRollbackHeld']);
  });

  it('the rate-limit hold is CRITICAL', () => {
    const d = decide(policy, firingState({ automaticRollbacksMs: [now - MIN, now - 2 * MIN] }), tick({ 'reasons.errors': v(0.2) }), now);
    expect(d.commands[0]).toMatchObject({ type: 'notify', alert: { severity: 'critical', labels: { cause: 'rate_limit' } } });
  });
});

describe('the rollback-lasting WARNING', () => {
  it.each([
    [59 * MIN, 0],
    [HOUR, 1],
    [2 * HOUR - 1, 1],
    [2 * HOUR, 2],
    [5 * HOUR + 30 * MIN, 5],
  ])('warningsDue(%d) = %d', (elapsed, due) => {
    expect(warningsDue(elapsed, HOUR, HOUR)).toBe(due);
  });

  it.each([
    [0, HOUR],
    [1, 2 * HOUR],
    [3, 4 * HOUR],
  ])('after %d warnings the next falls due at start + %d ms, where warningsDue reaches one more', (sent, at) => {
    expect(nextWarningAtMs(T0, sent, HOUR, HOUR)).toBe(T0 + at);
    expect(warningsDue(at, HOUR, HOUR)).toBe(sent + 1);
    expect(warningsDue(at - 1, HOUR, HOUR)).toBe(sent);
  });

  it('is computed from the true start, so it survives a restart (state through JSON)', () => {
    const rolledBack = play(policy, [
      [0, { type: 'manual_rollback', actor: 'a', reason: 'r' }],
      [SEC, { type: 'actuation_succeeded', action: 'rollback', rollbackId: `rb-svc-${T0}` }],
      [HOUR, tick()],
    ]);
    expect(brief(rolledBack.log[2]?.commands ?? [])).toEqual(['notify GuardrailRollbackLasting']);
    // The controller restarts 3 h later: one warning (the 4th), not three.
    const restored = JSON.parse(JSON.stringify(rolledBack.state)) as TargetState;
    const d = decide(policy, restored, tick(), T0 + 4 * HOUR);
    expect(brief(d.commands)).toEqual(['resolve GuardrailRollbackLasting', 'notify GuardrailRollbackLasting']);
    expect(d.commands[1]).toMatchObject({ alert: { dedupKey: `rollback-lasting:svc:rb-svc-${T0}:4` } });
  });
});

describe('automatic roll-forward', () => {
  it('rolls forward after every reason was OK for `after`, then cools down', () => {
    const auto = testPolicy({ rollforward: { mode: 'automatic', afterMs: 2 * MIN } });
    const { log } = play(auto, [
      [0, { type: 'manual_rollback', actor: 'a', reason: 'r' }],
      [SEC, { type: 'actuation_succeeded', action: 'rollback', rollbackId: `rb-svc-${T0}` }],
      ...every15s(15 * SEC, 2 * MIN + 15 * SEC, tick()),
      [2 * MIN + 20 * SEC, { type: 'actuation_succeeded', action: 'rollforward', rollbackId: `rb-svc-${T0}` }],
    ]);
    const forward = log.find((l) => l.commands.some((c) => c.type === 'rollforward'));
    expect(forward?.at).toBe(2 * MIN + 15 * SEC);
    expect(log.at(-1)?.phase).toBe('watching');
  });
});

describe('roll-forward evidence', () => {
  it('the INFO names who rolled forward; the rollback alerts resolve', () => {
    const id = `rb-svc-${T0}`;
    const { log } = play(policy, [
      [0, { type: 'webhook', reason: 'down', alertname: 'Down', labels: {} }],
      [SEC, { type: 'actuation_succeeded', action: 'rollback', rollbackId: id }],
      [MIN, { type: 'manual_rollforward', actor: 'bob', reason: 'fixed' }],
      [2 * MIN, { type: 'actuation_succeeded', action: 'rollforward', rollbackId: id }],
    ]);
    expect(log[2]?.commands[0]).toMatchObject({ type: 'rollforward', rollbackId: id, value: null, evidence: { trigger: { kind: 'manual', actor: 'bob' } } });
    expect(brief(log[3]?.commands ?? [])).toEqual(['notify GuardrailRolledForward', 'resolve GuardrailRollbackStarted']);
    expect(log[3]?.commands[0]).toMatchObject({ alert: { severity: 'info', labels: { trigger: 'manual' } } });
    expect(log[3]?.commands[1]).toMatchObject({ alert: { dedupKey: `rollback-started:svc:${id}`, startsAtMs: T0, resolvedAtMs: T0 + 2 * MIN } });
  });
});

describe('queriesOf and matchAlertmanager', () => {
  it('lists every query with its id and purpose', () => {
    expect(queriesOf(policy).map((q) => `${q.purpose} ${q.id}`)).toEqual([
      'traffic evaluation.minRequests',
      'reason reasons.errors',
      'reason reasons.down',
      'veto vetoes.deploy',
      'alert alerts.Drift',
    ]);
  });
  it('maps Alertmanager labels to policy and reason', () => {
    expect(matchAlertmanager([policy], { alertname: 'Down', severity: 'page' })).toEqual([{ policy: 'svc', target: 'svc', reason: 'down', trigger: { matchers: { alertname: 'Down' }, reason: 'down', corroborate: true } }]);
    expect(matchAlertmanager([policy], { alertname: 'Other' })).toEqual([]);
  });
});

describe('pause expiry', () => {
  it('an expired pause ends before a manual command is decided', () => {
    const paused = decide(policy, initialState(policy, T0), { type: 'pause', actor: 'a', reason: 'r', untilMs: T0 + MIN }, T0).state;
    expect(paused.phase).toBe('paused');
    const d = decide(policy, paused, { type: 'manual_rollforward', actor: 'a', reason: 'r' }, T0 + 2 * MIN);
    expect(d.state.phase).toBe('watching');
    expect(d.state.pause).toBeNull();
    expect(d.refused?.reason).toBe('not rolled back');
  });
});
