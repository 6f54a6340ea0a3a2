// The roll-forward gate (policy rollforward.gate): while a target is rolled back, the ML candidate
// answers mirrored traffic beside the baseline, and this pure judgement says whether its evidence is good
// enough to serve. Each bound is OK, BREACH or UNKNOWN with its cause, like a condition (judge.ts): too few
// mirrored requests in the window make every bound UNKNOWN low_traffic, and UNKNOWN never rolls forward.
// The gate's `for` counts how long every bound has been OK without a break; any BREACH or UNKNOWN resets it
// (a gap never counts toward evidence). Its memory between ticks is a GateRecord (state.ts).
//
// Only the candidate's own evidence counts (docs/lifecycle/shadow-verdicts-alerts.md, "The candidate's boot"): until its maintenance
// has verified it serving, the gate is UNKNOWN candidate_not_ready (a `candidate` bound), and after that the
// queries' window is clipped to the time since, so mirrored requests that failed while it booted (or that a
// previous candidate answered) are never judged as its own.

import type { ConditionEvidence } from './commands.js';
import { judgeSample, trafficStatus } from './judge.js';
import { parseDuration } from './duration.js';
import type { CandidateObservation, Sample } from './observation.js';
import type { Phase, Policy, ShadowGate } from './policy.js';
import type { GateRecord, TargetState } from './state.js';
import type { Verdict, VerdictStatus } from './verdict.js';

/** The requests bound: enough mirrored requests in the window (a number, never a breach: too few is UNKNOWN). */
function requestsBound(gate: ShadowGate, sample: Sample | undefined): Verdict {
  const traffic = trafficStatus(gate.traffic, sample);
  const base = { conditionId: gate.traffic.id, comparison: 'below' as const, threshold: gate.traffic.min, forMs: 0, sustainedMs: 0, sustained: false };
  if (traffic.kind === 'enough' && sample?.kind === 'value') return { ...base, status: 'ok', value: sample.value };
  if (traffic.kind === 'unknown') return { ...base, status: 'unknown', cause: traffic.cause, detail: traffic.detail };
  return { ...base, status: 'unknown', cause: 'low_traffic', detail: traffic.kind === 'low' ? traffic.detail : 'no requests' };
}

function overall(bounds: readonly Verdict[]): VerdictStatus {
  if (bounds.some((b) => b.status === 'breach')) return 'breach';
  return bounds.some((b) => b.status === 'unknown') ? 'unknown' : 'ok';
}

export const CANDIDATE_BOUND_ID = 'rollforward.gate.candidate';

/**
 * The candidate bound, only while the candidate is not verified serving, and then the only bound (what its
 * mirrors show is not its evidence; the runtime does not even query it): UNKNOWN while it starts, BREACH
 * when it does not run at all (failed: exited or crash-looping), so a manual roll-forward is refused unless
 * forced, as for any failing candidate. Either way nothing is promoted.
 */
function candidateBound(candidate: CandidateObservation | undefined): Verdict[] {
  if (candidate === undefined || !('notReady' in candidate)) return [];
  const base = { conditionId: CANDIDATE_BOUND_ID, comparison: 'below' as const, threshold: 1, forMs: 0, sustainedMs: 0, sustained: false };
  if (candidate.failed === true) return [{ ...base, status: 'breach', value: 0, detail: `the candidate does not run (${candidate.notReady})` }];
  return [{ ...base, status: 'unknown', cause: 'candidate_not_ready', detail: `the candidate is not verified serving yet (${candidate.notReady}): its mirrored requests are not judged` }];
}

/**
 * A gate query for this tick: its `[window]` ranges clipped to the whole seconds since the candidate was
 * verified serving (at least 1 s), while that is shorter than the window. Unchanged when the candidate's
 * state is not known or it has served for a whole window; a custom query is clipped where it writes the
 * gate's window as a range (`[5m]`).
 */
export function clippedGateQuery(gate: ShadowGate, query: string, candidate: CandidateObservation | undefined, nowMs: number): string {
  const window = gate.traffic.window;
  const windowMs = parseDuration(window);
  if (candidate === undefined || !('readySinceMs' in candidate) || windowMs === undefined) return query;
  const seconds = Math.max(1, Math.floor((nowMs - candidate.readySinceMs) / 1000));
  return seconds * 1000 >= windowMs ? query : query.split(`[${window}]`).join(`[${seconds}s]`);
}

/**
 * Judges the gate on one tick's samples; `previous` carries the verdict's and the `for`'s start times.
 * A `candidate` (when known) that is not verified serving makes the gate UNKNOWN (BREACH when it failed), samples unread.
 */
export function assessGate(gate: ShadowGate, samples: Readonly<Record<string, Sample>>, previous: GateRecord | undefined, nowMs: number, candidate?: CandidateObservation): GateRecord {
  const notReady = candidateBound(candidate);
  const bounds: Verdict[] = notReady.length > 0 ? notReady : judgeBounds(gate, samples);
  const verdict = overall(bounds);
  return {
    verdict,
    verdictSinceMs: previous !== undefined && previous.verdict === verdict ? previous.verdictSinceMs : nowMs,
    passingSinceMs: verdict === 'ok' ? (previous?.passingSinceMs ?? nowMs) : null,
    atMs: nowMs,
    bounds,
  };
}

/** Each bound on the tick's samples: requests, then the gate's conditions. */
function judgeBounds(gate: ShadowGate, samples: Readonly<Record<string, Sample>>): Verdict[] {
  const traffic = trafficStatus(gate.traffic, samples[gate.traffic.id]);
  const bounds: Verdict[] = [requestsBound(gate, samples[gate.traffic.id])];
  for (const condition of gate.conditions) {
    const judged = judgeSample(condition, samples[condition.id], traffic);
    const base = { conditionId: condition.id, comparison: condition.comparison, threshold: condition.threshold, forMs: 0, sustainedMs: 0, sustained: false };
    bounds.push(judged.status === 'unknown' ? { ...base, status: 'unknown', cause: judged.cause, detail: judged.detail } : { ...base, status: judged.status, value: judged.value });
  }
  return bounds;
}

/** Every bound OK for the gate's `for`, up to now. */
export function gatePassed(gate: ShadowGate, record: GateRecord | undefined, nowMs: number): boolean {
  return record !== undefined && record.passingSinceMs !== null && nowMs - record.passingSinceMs >= gate.forMs;
}

/** How long every bound has been OK (0 when not OK now). */
export function gatePassingMs(record: GateRecord | undefined, nowMs: number): number {
  return record === undefined || record.passingSinceMs === null ? 0 : Math.max(0, nowMs - record.passingSinceMs);
}

/** The phases in which the candidate runs in shadow and the gate is judged: on the baseline, verified. */
export function shadowPhase(phase: Phase, pausedFrom: string | undefined): boolean {
  return phase === 'rolled_back' || (phase === 'paused' && pausedFrom === 'rolled_back');
}

function queryOf(gate: ShadowGate, id: string): string {
  if (id === gate.traffic.id) return gate.traffic.query;
  return gate.conditions.find((c) => c.id === id)?.query ?? '';
}

/**
 * The bounds that have a value, as a decision's evidence (history, alerts): value against threshold, `for`
 * progress. An UNKNOWN bound has no number to record (and JSON has no NaN): it is left out, and so is the
 * candidate bound (no query; describeGate says it in words).
 */
export function gateEvidence(gate: ShadowGate, record: GateRecord, nowMs: number): ConditionEvidence[] {
  const passingMs = gatePassingMs(record, nowMs);
  const measured = record.bounds.filter((b) => b.conditionId !== CANDIDATE_BOUND_ID);
  return measured.flatMap((b) => (b.value === undefined || !Number.isFinite(b.value) ? [] : [{ ...b, value: b.value }])).map((b) => ({
    conditionId: b.conditionId,
    query: queryOf(gate, b.conditionId),
    value: b.value,
    comparison: b.comparison,
    threshold: b.threshold,
    forMs: gate.forMs,
    sustainedMs: passingMs,
    window: gate.traffic.window,
  }));
}

const SHORT_ID = 'rollforward.gate.';

function boundText(b: Verdict): string {
  if (b.conditionId === CANDIDATE_BOUND_ID && b.status === 'breach') return `candidate BREACH (${b.detail ?? 'it does not run'})`;
  const name = b.conditionId.startsWith(SHORT_ID) ? b.conditionId.slice(SHORT_ID.length) : b.conditionId;
  if (b.status === 'unknown') return `${name} UNKNOWN (${b.cause ?? 'unknown'}${b.detail === undefined ? '' : `: ${b.detail}`})`;
  const value = Number.isInteger(b.value) ? String(b.value) : String(Number((b.value ?? Number.NaN).toPrecision(4)));
  const op = b.comparison === 'above' ? (b.status === 'breach' ? '>' : '<=') : b.status === 'breach' ? '<' : '>=';
  return `${name} ${value} ${op} ${b.threshold}${b.status === 'breach' ? ' BREACH' : ''}`;
}

/** One line for refusals, warnings and logs: the bounds that are not OK (all bounds when every one is OK). */
export function describeGate(record: GateRecord): string {
  const notOk = record.bounds.filter((b) => b.status !== 'ok');
  return (notOk.length === 0 ? record.bounds : notOk).map(boundText).join('; ');
}

/** The shadow's gate if the policy has one. */
export function shadowGateOf(policy: Policy): ShadowGate | undefined {
  return policy.rollforward.gate;
}

/**
 * The gate's record forgotten because the candidate changed (an operator set a new one): its evidence was
 * the previous candidate's, so the next judgement starts from nothing (and, until the new candidate is
 * verified serving, is UNKNOWN candidate_not_ready).
 */
export function restartGate(state: TargetState): TargetState {
  if (state.shadowGate === undefined) return state;
  const { shadowGate: _previousCandidates, ...rest } = state;
  return rest;
}

/**
 * A tick's gate step: judged while the candidate runs in shadow (rolled back, or paused there), and
 * forgotten otherwise, so a new rollback starts its evidence from nothing.
 */
export function shadowGateStep(policy: Policy, state: TargetState, samples: Readonly<Record<string, Sample>>, nowMs: number, candidate?: CandidateObservation): TargetState {
  const gate = shadowGateOf(policy);
  if (gate !== undefined && shadowPhase(state.phase, state.pause?.resumeTo)) {
    return { ...state, shadowGate: assessGate(gate, samples, state.shadowGate, nowMs, candidate) };
  }
  if (state.shadowGate === undefined) return state;
  const { shadowGate: _forgotten, ...rest } = state;
  return rest;
}
