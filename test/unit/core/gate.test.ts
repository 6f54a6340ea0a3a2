// The roll-forward gate (core/gate.ts): each bound OK / BREACH / UNKNOWN with its cause, too few mirrored
// requests making every bound UNKNOWN, and the gate's `for` — every bound OK without a break.
import { describe, expect, it } from 'vitest';
import { assessGate, clippedGateQuery, describeGate, gateEvidence, gatePassed, initialState, restartGate, type GateRecord, type Sample } from '../../../controller/core/index.js';
import { GATE, MIN, SEC, T0, gateOk, shadowPolicy, v } from './fixtures.js';

const gate = GATE;
const at = (ms: number) => T0 + ms;

function statuses(record: GateRecord): string[] {
  return record.bounds.map((b) => `${b.conditionId.replace('rollforward.gate.', '')} ${b.status}${b.cause === undefined ? '' : ` ${b.cause}`}`);
}

describe('assessGate: each bound', () => {
  it('all OK: 600 requests, 0.5% errors, P95 0.2 s, 95% agreement', () => {
    const r = assessGate(gate, gateOk(), undefined, at(0));
    expect(statuses(r)).toEqual(['requests ok', 'errorRatio ok', 'p95Seconds ok', 'agreement ok']);
    expect(r.verdict).toBe('ok');
    expect(r.passingSinceMs).toBe(at(0));
    expect(r.bounds.map((b) => b.value)).toEqual([600, 0.005, 0.2, 0.95]);
  });

  it.each([
    ['rollforward.gate.errorRatio', v(0.02), 'errorRatio breach'],
    ['rollforward.gate.p95Seconds', v(0.9), 'p95Seconds breach'],
    ['rollforward.gate.agreement', v(0.85), 'agreement breach'],
  ])('%s beyond its bound is a BREACH and the gate breaches', (id, sample, expected) => {
    const r = assessGate(gate, gateOk({ [id]: sample }), undefined, at(0));
    expect(statuses(r)).toContain(expected);
    expect(r.verdict).toBe('breach');
    expect(r.passingSinceMs).toBeNull();
  });

  it('exactly at a bound is OK (equality is OK, as for conditions)', () => {
    const r = assessGate(gate, gateOk({ 'rollforward.gate.errorRatio': v(0.01), 'rollforward.gate.p95Seconds': v(0.8), 'rollforward.gate.agreement': v(0.9), 'rollforward.gate.requests': v(500) }), undefined, at(0));
    expect(r.verdict).toBe('ok');
  });

  it.each<[string, Sample, string]>([
    ['rollforward.gate.errorRatio', { kind: 'unknown', cause: 'no_data', detail: 'empty' }, 'errorRatio unknown no_data'],
    ['rollforward.gate.p95Seconds', v(Number.NaN), 'p95Seconds unknown not_finite'],
    ['rollforward.gate.agreement', { kind: 'unknown', cause: 'unreachable', detail: 'prometheus down' }, 'agreement unknown unreachable'],
  ])('%s without a number is UNKNOWN with its cause, and the gate is UNKNOWN', (id, sample, expected) => {
    const r = assessGate(gate, gateOk({ [id]: sample }), undefined, at(0));
    expect(statuses(r)).toContain(expected);
    expect(r.verdict).toBe('unknown');
    expect(r.passingSinceMs).toBeNull();
  });

  it('a BREACH outranks an UNKNOWN', () => {
    const r = assessGate(gate, gateOk({ 'rollforward.gate.errorRatio': v(0.5), 'rollforward.gate.p95Seconds': v(Number.NaN) }), undefined, at(0));
    expect(r.verdict).toBe('breach');
  });
});

describe('assessGate: minRequests', () => {
  it('fewer mirrored requests than minRequests: every bound UNKNOWN low_traffic, even a perfect one', () => {
    const r = assessGate(gate, gateOk({ 'rollforward.gate.requests': v(499) }), undefined, at(0));
    expect(statuses(r)).toEqual(['requests unknown low_traffic', 'errorRatio unknown low_traffic', 'p95Seconds unknown low_traffic', 'agreement unknown low_traffic']);
    expect(r.verdict).toBe('unknown');
    expect(r.bounds[0]?.detail).toBe('499 requests < minRequests 500');
  });

  it('also a failing candidate with too few requests is UNKNOWN, not BREACH: too little evidence either way', () => {
    const r = assessGate(gate, gateOk({ 'rollforward.gate.requests': v(3), 'rollforward.gate.errorRatio': v(1) }), undefined, at(0));
    expect(r.verdict).toBe('unknown');
  });

  it('no requests series at all is low traffic; a failed requests query is UNKNOWN with its own cause', () => {
    const none = assessGate(gate, gateOk({ 'rollforward.gate.requests': { kind: 'unknown', cause: 'no_data', detail: '' } }), undefined, at(0));
    expect(statuses(none)[0]).toBe('requests unknown low_traffic');
    const failed = assessGate(gate, gateOk({ 'rollforward.gate.requests': { kind: 'unknown', cause: 'timeout', detail: 'slow' } }), undefined, at(0));
    expect(statuses(failed)).toEqual(['requests unknown timeout', 'errorRatio unknown timeout', 'p95Seconds unknown timeout', 'agreement unknown timeout']);
  });
});

describe('the gate\'s `for`', () => {
  /** Judges the gate on each tick's samples, 15 s apart; the last record. */
  function run(ticks: readonly Record<string, Sample>[]): GateRecord[] {
    const out: GateRecord[] = [];
    ticks.forEach((samples, i) => out.push(assessGate(gate, samples, out[i - 1], at(i * 15 * SEC))));
    return out;
  }

  it('passes once every bound has been OK for `for` (10 minutes), not a tick before', () => {
    const records = run(Array.from({ length: 42 }, () => gateOk()));
    expect(gatePassed(gate, records[39], at(39 * 15 * SEC))).toBe(false); // 9m45s
    expect(gatePassed(gate, records[40], at(40 * 15 * SEC))).toBe(true); // 10m
    expect(records[41]?.passingSinceMs).toBe(at(0));
  });

  it('a BREACH resets it: the evidence starts again after the candidate recovers', () => {
    const ticks = [...Array.from({ length: 30 }, () => gateOk()), gateOk({ 'rollforward.gate.errorRatio': v(0.3) }), ...Array.from({ length: 41 }, () => gateOk())];
    const records = run(ticks);
    expect(records[30]?.passingSinceMs).toBeNull();
    expect(records[31]?.passingSinceMs).toBe(at(31 * 15 * SEC));
    expect(gatePassed(gate, records[70], at(70 * 15 * SEC))).toBe(false);
    expect(gatePassed(gate, records[71], at(71 * 15 * SEC))).toBe(true);
  });

  it('an UNKNOWN (a gap, too few requests) resets it too: a gap never counts as evidence', () => {
    const records = run([gateOk(), gateOk(), gateOk({ 'rollforward.gate.requests': v(10) }), gateOk()]);
    expect(records.map((r) => r.passingSinceMs)).toEqual([at(0), at(0), null, at(45 * SEC)]);
  });

  it('the verdict keeps its start time while it stays the same', () => {
    const records = run([gateOk({ 'rollforward.gate.agreement': v(0.1) }), gateOk({ 'rollforward.gate.agreement': v(0.2) }), gateOk()]);
    expect(records.map((r) => [r.verdict, r.verdictSinceMs])).toEqual([
      ['breach', at(0)],
      ['breach', at(0)],
      ['ok', at(30 * SEC)],
    ]);
  });

  it('no record, or one not passing, has not passed', () => {
    expect(gatePassed(gate, undefined, at(MIN))).toBe(false);
    expect(gatePassed(gate, assessGate(gate, {}, undefined, at(0)), at(MIN))).toBe(false);
  });
});

describe('the candidate: only its own evidence, from when it was verified serving', () => {
  it('a candidate not verified serving makes the gate UNKNOWN candidate_not_ready, whatever its samples say (a boot that fails every mirror is no BREACH)', () => {
    const booting = assessGate(gate, gateOk({ 'rollforward.gate.errorRatio': v(1) }), undefined, at(0), { notReady: 'starting: created beside api-1' });
    expect(statuses(booting)).toEqual(['candidate unknown candidate_not_ready']);
    expect(booting.verdict).toBe('unknown');
    expect(booting.passingSinceMs).toBeNull();
    expect(describeGate(booting)).toBe('candidate UNKNOWN (candidate_not_ready: the candidate is not verified serving yet (starting: created beside api-1): its mirrored requests are not judged)');
    expect(gateEvidence(gate, booting, at(0))).toEqual([]);
  });

  it('a candidate that does not run at all (failed: exited, crash-looping) is a BREACH: evidence of failure, not a gap', () => {
    const failed = assessGate(gate, gateOk(), undefined, at(0), { notReady: 'failed: exited with code 1 after 3 restarts', failed: true });
    expect(statuses(failed)).toEqual(['candidate breach']);
    expect([failed.verdict, failed.passingSinceMs]).toEqual(['breach', null]);
    expect(describeGate(failed)).toBe('candidate BREACH (the candidate does not run (failed: exited with code 1 after 3 restarts))');
    expect(gateEvidence(gate, failed, at(0))).toEqual([]);
  });

  it('once verified, the bounds are judged as without a candidate observation; a candidate that stops serving resets the `for`', () => {
    const ready = { readySinceMs: at(0) };
    const first = assessGate(gate, gateOk(), undefined, at(15 * SEC), ready);
    expect(statuses(first)).toEqual(['requests ok', 'errorRatio ok', 'p95Seconds ok', 'agreement ok']);
    const gone = assessGate(gate, gateOk(), first, at(30 * SEC), { notReady: 'failed: exited with code 1' });
    expect([gone.verdict, gone.passingSinceMs]).toEqual(['unknown', null]);
    const back = assessGate(gate, gateOk(), gone, at(45 * SEC), { readySinceMs: at(40 * SEC) });
    expect(back.passingSinceMs).toBe(at(45 * SEC));
  });

  it('clippedGateQuery: the window clipped to the whole seconds since the candidate was verified, while shorter than the window', () => {
    const query = '(sum(rate(shadow_requests_total{outcome!="ok"}[5m])) or on() vector(0)) / sum(rate(shadow_requests_total[5m]))';
    const ready = { readySinceMs: at(0) };
    expect(clippedGateQuery(gate, query, ready, at(42_900))).toBe('(sum(rate(shadow_requests_total{outcome!="ok"}[42s])) or on() vector(0)) / sum(rate(shadow_requests_total[42s]))');
    expect(clippedGateQuery(gate, query, ready, at(200))).toBe(query.replaceAll('[5m]', '[1s]'));
    expect(clippedGateQuery(gate, query, ready, at(5 * MIN - SEC))).toBe(query.replaceAll('[5m]', '[299s]'));
    expect(clippedGateQuery(gate, query, ready, at(5 * MIN))).toBe(query);
    expect(clippedGateQuery(gate, query, undefined, at(0))).toBe(query);
    expect(clippedGateQuery(gate, query, { notReady: 'starting' }, at(0))).toBe(query);
    // Another range in a custom query is left alone: only the gate's window is the candidate's evidence.
    expect(clippedGateQuery(gate, 'sum(increase(x[5m])) + sum(increase(y[1h]))', ready, at(10 * SEC))).toBe('sum(increase(x[10s])) + sum(increase(y[1h]))');
  });
});

describe('evidence and wording', () => {
  it('gateEvidence: every bound with a value, its query, threshold, and the `for` progress; an UNKNOWN one left out (JSON has no NaN)', () => {
    const record = assessGate(gate, gateOk({ 'rollforward.gate.p95Seconds': v(Number.NaN) }), undefined, at(0));
    const evidence = gateEvidence(gate, record, at(MIN));
    expect(evidence.map((e) => [e.conditionId, e.value, e.comparison, e.threshold, e.forMs, e.window])).toEqual([
      ['rollforward.gate.requests', 600, 'below', 500, 10 * MIN, '5m'],
      ['rollforward.gate.errorRatio', 0.005, 'above', 0.01, 10 * MIN, '5m'],
      ['rollforward.gate.agreement', 0.95, 'below', 0.9, 10 * MIN, '5m'],
    ]);
    expect(evidence[0]?.query).toBe(gate.traffic.query);
    expect(evidence.every((e) => e.sustainedMs === 0)).toBe(true);
    expect(JSON.parse(JSON.stringify(evidence))).toEqual(evidence);
  });

  it('describeGate names the bounds that are not OK, or all of them when all are', () => {
    const bad = assessGate(gate, gateOk({ 'rollforward.gate.errorRatio': v(0.25), 'rollforward.gate.agreement': { kind: 'unknown', cause: 'no_data', detail: 'empty' } }), undefined, at(0));
    expect(describeGate(bad)).toBe('errorRatio 0.25 > 0.01 BREACH; agreement UNKNOWN (no_data: empty)');
    expect(describeGate(assessGate(gate, gateOk(), undefined, at(0)))).toBe('requests 600 >= 500; errorRatio 0.005 <= 0.01; p95Seconds 0.2 <= 0.8; agreement 0.95 >= 0.9');
  });
});

describe('restartGate (an operator set a new candidate)', () => {
  it('forgets the record, so the next judgement starts from nothing; a state without one is returned as it is', () => {
    const record = assessGate(gate, gateOk(), undefined, at(0));
    const state = { ...initialState(shadowPolicy(), at(0)), phase: 'rolled_back' as const, shadowGate: record };
    const restarted = restartGate(state);
    expect(restarted.shadowGate).toBeUndefined();
    expect('shadowGate' in restarted).toBe(false);
    expect({ ...restarted, shadowGate: record }).toEqual(state);
    expect(restartGate(restarted)).toBe(restarted);
    // Judged again: passing only from now, whatever passed before.
    const next = assessGate(gate, gateOk(), restarted.shadowGate, at(5 * MIN));
    expect(next.passingSinceMs).toBe(at(5 * MIN));
  });
});
