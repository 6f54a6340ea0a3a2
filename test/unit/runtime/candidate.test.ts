// An operator's shadow candidate through the runtime (issue #19, runtime/candidate-ops.ts), with the demo
// policy (its rollforward.candidates allows FAULT_ML_ERROR_RATE=0 and FAULT_ML_LATENCY_MS=0): each refusal
// with its message, the shadow replaced at once with the gate's evidence restarted, the history entry, the
// candidate surviving a restart, a roll-forward promoting it, and a corrupt candidate in the state file.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CandidateSpec, ServiceSpec } from '../../../controller/core/index.js';
import type { CandidateSupport, StandbyReport } from '../../../controller/ports/actuator.js';
import { createHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => h.cleanup());

const CLEARED = { env: { FAULT_ML_ERROR_RATE: '0' } };
const request = (candidate: CandidateSpec = CLEARED) => ({ kind: 'candidate', actor: 'alice', reason: 'fault fixed', candidate }) as const;

interface ShadowCall {
  readonly wanted: boolean;
  readonly candidate: CandidateSpec | undefined;
}

/** A Docker-like actuator: shadows (a new instance id per candidate) and candidate support as given. */
function withShadows(support: CandidateSupport = { image: true, env: true, detail: 'scripted' }): ShadowCall[] {
  const calls: ShadowCall[] = [];
  Object.assign(h.actuator, {
    candidateSupport: (): CandidateSupport => support,
    maintainShadow: (service: ServiceSpec, wanted: boolean, candidate?: CandidateSpec): Promise<StandbyReport> => {
      calls.push({ wanted, candidate });
      const id = `c-${JSON.stringify(candidate ?? null)}`;
      return Promise.resolve({ target: service.name, state: wanted ? 'ready' : 'not-needed', detail: 'scripted', actions: [], instance: { id, name: 'demo-guardrail-shadow' } });
    },
  });
  return calls;
}

async function rolledBack(): Promise<ShadowCall[]> {
  h = await createHarness();
  const calls = withShadows();
  h.metrics.shadow = 'good';
  expect(await h.runtime.submit('demo', { kind: 'rollback', actor: 'alice', reason: 'bad model' })).toMatchObject({ outcome: 'accepted' });
  await h.runtime.idle();
  expect(h.runtime.status()[0]?.phase).toBe('rolled_back');
  return calls;
}

describe('refusals, each with its message', () => {
  it('an actuator that runs no candidate, or no image (the process actuator): unsupported', async () => {
    h = await createHarness();
    expect(await h.runtime.submit('demo', request())).toEqual({ outcome: 'candidate_refused', why: 'unsupported', reason: 'target demo cannot run a candidate: demo: this actuator runs no shadow candidate' });
    withShadows({ image: false, env: true, detail: 'the process actuator runs its configured command, not an image' });
    expect(await h.runtime.submit('demo', request({ image: 'guardrail/service:1.4.2', env: {} }))).toEqual({
      outcome: 'candidate_refused',
      why: 'unsupported',
      reason: 'target demo cannot run a candidate: demo: an image cannot be set (the process actuator runs its configured command, not an image); environment entries can',
    });
  });

  it('not allowed by the policy: names the policy file and what it allows', async () => {
    h = await createHarness();
    withShadows();
    const outcome = await h.runtime.submit('demo', request({ env: { FAULT_ML_ERROR_RATE: '0.5' } }));
    expect(outcome).toMatchObject({ outcome: 'candidate_refused', why: 'not_allowed', allowed: { images: [], env: { FAULT_ML_ERROR_RATE: ['0'], FAULT_ML_LATENCY_MS: ['0'] } } });
    expect(outcome.outcome === 'candidate_refused' ? outcome.reason : '').toBe(`FAULT_ML_ERROR_RATE="0.5" is not allowed by rollforward.candidates.env.FAULT_ML_ERROR_RATE in ${join(h.policiesDir, 'demo.yaml')} (allowed: "0")`);
    expect(await h.runtime.submit('demo', request({ image: 'guardrail/service:1.4.2', env: {} }))).toMatchObject({ why: 'not_allowed' });
    expect(await h.runtime.submit('demo', request({ image: 'Not An Image', env: {} }))).toMatchObject({ why: 'malformed' });
  });

  it('not rolled back: a conflict with the phase, and nothing is recorded', async () => {
    h = await createHarness();
    withShadows();
    expect(await h.runtime.submit('demo', request())).toEqual({
      outcome: 'conflict',
      reason: 'target demo is watching: a candidate runs in shadow only while the target is rolled back (set it after a rollback)',
      inFlight: null,
      phase: 'watching',
    });
    expect((await h.runtime.history({ limit: 10, offset: 0 })).total).toBe(0);
  });
});

describe('setting a candidate', () => {
  it('replaces the shadow at once, restarts the gate\'s evidence, records who set what, and does not roll forward', async () => {
    const calls = await rolledBack();
    for (let i = 0; i < 5; i++) await h.tick();
    expect(h.runtime.status()[0]?.shadow).toMatchObject({ verdict: 'ok', candidateSpec: null });
    expect(h.runtime.status()[0]?.shadow?.passingSeconds).toBeGreaterThan(0);

    const outcome = await h.runtime.submit('demo', request());
    expect(outcome).toMatchObject({ outcome: 'accepted', operation: { kind: 'candidate' }, candidate: { image: null, env: CLEARED.env, setBy: 'alice', reason: 'fault fixed', promotedAt: null } });
    await h.runtime.idle();
    expect(calls.at(-1)).toEqual({ wanted: true, candidate: CLEARED });
    const shadow = h.runtime.status()[0]?.shadow;
    expect(shadow).toMatchObject({ verdict: 'not_judged', passingSeconds: 0, candidateSpec: { env: CLEARED.env, promotedAt: null } });
    expect(h.runtime.status()[0]?.phase).toBe('rolled_back');
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);
    const { entries } = await h.runtime.history({ limit: 1, offset: 0 });
    expect(entries[0]).toMatchObject({ action: 'candidate', trigger: { kind: 'manual', actor: 'alice' }, reason: 'fault fixed', result: 'succeeded', candidate: { image: null, env: CLEARED.env } });
    expect(entries[0]?.notes).toMatch(/^demo: shadow ready \(scripted\); gated before it serves$/);
    // Every later maintenance keeps the candidate; the gate judges it from its own verification on.
    await h.tick();
    expect(calls.at(-1)).toEqual({ wanted: true, candidate: CLEARED });
    expect(h.runtime.status()[0]?.shadow).toMatchObject({ verdict: 'ok', passingSeconds: 0 });
  });

  it('a shadow that cannot run it fails the operation (and the history entry), alerts, and keeps the candidate set', async () => {
    await rolledBack();
    Object.assign(h.actuator, { maintainShadow: () => Promise.reject(new Error('(HTTP code 404) no such image')) });
    const outcome = await h.runtime.submit('demo', request());
    await h.runtime.idle();
    const op = outcome.outcome === 'accepted' ? h.runtime.operation(outcome.operation.id) : undefined;
    expect(op).toMatchObject({ status: 'failed', message: 'set, but its shadow does not run: demo: shadow failed (maintenance failed: (HTTP code 404) no such image); set another candidate or fix it (it is retried)' });
    const { entries } = await h.runtime.history({ limit: 1, offset: 0 });
    expect(entries[0]).toMatchObject({ action: 'candidate', result: 'failed', notes: op?.message });
    expect(h.sink.names()).toContain('GuardrailShadowCandidateFailed');
    expect(h.runtime.status()[0]?.shadow).toMatchObject({ state: 'failed', candidateSpec: { env: CLEARED.env } });
  });

  it('survives a restart, and a roll-forward promotes it: the switch runs it, the history says so, status shows it serving', async () => {
    await rolledBack();
    const switched: (CandidateSpec | undefined)[] = [];
    h.actuator.behaviour = (r) => Promise.resolve(void switched.push(r.candidate));
    await h.runtime.submit('demo', request());
    await h.runtime.idle();
    await h.restart();
    withShadows();
    expect(h.runtime.status()[0]?.shadow?.candidateSpec).toMatchObject({ env: CLEARED.env, promotedAt: null });
    expect(await h.runtime.submit('demo', { kind: 'rollforward', actor: 'bob', reason: 'ship it', force: true })).toMatchObject({ outcome: 'accepted' });
    await h.runtime.idle();
    expect(h.runtime.status()[0]?.phase).toBe('watching');
    expect(switched.at(-1)).toEqual(CLEARED);
    const { entries } = await h.runtime.history({ limit: 1, offset: 0 });
    expect(entries[0]).toMatchObject({ action: 'rollforward', result: 'succeeded', candidate: { image: null, env: CLEARED.env } });
    expect(h.runtime.status()[0]?.shadow?.candidateSpec).toMatchObject({ env: CLEARED.env, promotedAt: new Date(h.clock).toISOString() });
    // A later rollback runs the baseline: no candidate in its switch.
    await h.runtime.submit('demo', { kind: 'rollback', actor: 'bob', reason: 'again' });
    await h.runtime.idle();
    expect(switched.at(-1)).toBeUndefined();
  });
});

describe('clearing a candidate (rollforward --clear-candidate)', () => {
  const clear = { kind: 'clear_candidate', actor: 'carol', reason: 'wrong image' } as const;

  it('none set, or one promoted: a conflict that says why, and nothing is recorded', async () => {
    await rolledBack();
    expect(await h.runtime.submit('demo', clear)).toEqual({ outcome: 'conflict', reason: 'target demo has no candidate to clear', inFlight: null, phase: 'rolled_back' });
    await h.runtime.submit('demo', request());
    await h.runtime.idle();
    await h.runtime.submit('demo', { kind: 'rollforward', actor: 'bob', reason: 'ship it', force: true });
    await h.runtime.idle();
    const entries = (await h.runtime.history({ limit: 10, offset: 0 })).total;
    expect(await h.runtime.submit('demo', clear)).toEqual({
      outcome: 'conflict',
      reason: `the candidate of demo was promoted at ${new Date(h.clock).toISOString()}: the ML side runs it; set another candidate to replace it`,
      inFlight: null,
      phase: 'watching',
    });
    expect((await h.runtime.history({ limit: 10, offset: 0 })).total).toBe(entries);
  });

  it('while rolled back: forgotten, the shadow runs the image\'s own ML at once, the gate restarts, history says what was cleared', async () => {
    const calls = await rolledBack();
    await h.runtime.submit('demo', request());
    await h.runtime.idle();
    for (let i = 0; i < 3; i++) await h.tick();
    expect(h.runtime.status()[0]?.shadow?.passingSeconds).toBeGreaterThan(0);
    const outcome = await h.runtime.submit('demo', clear);
    expect(outcome).toMatchObject({ outcome: 'accepted', operation: { kind: 'candidate' } });
    await h.runtime.idle();
    expect(calls.at(-1)).toEqual({ wanted: true, candidate: undefined });
    expect(h.runtime.status()[0]?.shadow).toMatchObject({ verdict: 'not_judged', passingSeconds: 0, candidateSpec: null });
    expect(h.runtime.status()[0]?.phase).toBe('rolled_back');
    const { entries } = await h.runtime.history({ limit: 1, offset: 0 });
    expect(entries[0]).toMatchObject({ action: 'candidate', trigger: { kind: 'manual', actor: 'carol' }, reason: 'wrong image', result: 'succeeded' });
    expect(entries[0]?.candidate).toBeUndefined();
    expect(entries[0]?.notes).toMatch(/^cleared the candidate FAULT_ML_ERROR_RATE=0 \(set by alice at .+\); the shadow runs the image's own ML: demo: shadow ready \(scripted\)$/);
    const op = outcome.outcome === 'accepted' ? h.runtime.operation(outcome.operation.id) : undefined;
    expect(op).toMatchObject({ status: 'done', message: entries[0]?.notes });
    // Cleared for good: a restart finds none, and later maintenance runs the plain ML.
    await h.restart();
    const after = withShadows();
    expect(h.runtime.status()[0]?.shadow?.candidateSpec).toBeNull();
    await h.tick();
    expect(after.at(-1)).toEqual({ wanted: true, candidate: undefined });
    expect(await h.runtime.submit('demo', clear)).toMatchObject({ outcome: 'conflict', reason: 'target demo has no candidate to clear' });
  });
});

describe('after a restart, the ML side runs the candidate again (process children die with the controller)', () => {
  /** Restarts with a recording `prepare` (what the process actuator's wiring starts each service with). */
  async function prepared(): Promise<unknown[][]> {
    const calls: unknown[][] = [];
    await h.restart({ prepare: (service, value, candidate) => Promise.resolve(void calls.push([service.name, value, candidate])) });
    return calls;
  }

  it('prepare gets the candidate the state records: beside the baseline while shadowed, with ML once promoted', async () => {
    await rolledBack();
    expect(await prepared()).toEqual([['demo', 'baseline', undefined]]);
    await h.runtime.submit('demo', request());
    await h.runtime.idle();
    expect(await prepared()).toEqual([['demo', 'baseline', CLEARED]]);
    withShadows();
    await h.runtime.submit('demo', { kind: 'rollforward', actor: 'bob', reason: 'ship it', force: true });
    await h.runtime.idle();
    expect(await prepared()).toEqual([['demo', null, CLEARED]]);
  });

  it('a roll-forward interrupted by a crash is reconciled with the candidate it promotes', async () => {
    await rolledBack();
    await h.runtime.submit('demo', request());
    await h.runtime.idle();
    h.actuator.behaviour = () => new Promise(() => undefined); // hangs: the controller "dies" mid-switch
    void h.runtime.submit('demo', { kind: 'rollforward', actor: 'bob', reason: 'ship it', force: true });
    while (!h.actuator.calls.some((c) => c.value === null)) await new Promise((r) => setTimeout(r, 5));
    h.actuator.behaviour = () => Promise.resolve();
    await h.restart();
    withShadows();
    expect(h.actuator.reconciles).toHaveLength(1);
    expect(h.actuator.reconciles[0]).toMatchObject({ target: 'demo', entry: { rollbackId: expect.any(String), value: null, candidate: CLEARED } });
    expect(h.runtime.status()[0]?.phase).toBe('watching');
  });
});

describe('the candidate in the state file', () => {
  const statePath = () => join(h.stateDir, 'state.json');

  async function restartWith(edit: (candidate: Record<string, unknown>) => unknown): Promise<void> {
    await rolledBack();
    await h.runtime.submit('demo', request());
    await h.runtime.idle();
    const envelope = JSON.parse(await readFile(statePath(), 'utf8')) as { state: { candidates: Record<string, Record<string, unknown>> } };
    envelope.state.candidates['demo'] = edit(envelope.state.candidates['demo'] ?? {}) as Record<string, unknown>;
    await writeFile(statePath(), JSON.stringify(envelope));
    await h.restart();
  }

  it('a corrupt candidate (no env) is safe mode', async () => {
    await restartWith(({ env: _env, ...rest }) => rest);
    expect(h.runtime.readiness().detail).toMatch(/^SAFE MODE: state file cannot be trusted.*the candidate of "demo" has no env object of strings/);
  });

  it('a candidate the policy does not allow (edited in) is safe mode, naming it', async () => {
    await restartWith((c) => ({ ...c, env: { FAULT_ML_ERROR_RATE: '0.9' } }));
    expect(h.runtime.readiness().detail).toMatch(/SAFE MODE.*target demo: the candidate in the state file is refused: FAULT_ML_ERROR_RATE="0.9" is not allowed/);
  });

  it('a candidate that sets the variable is safe mode, promoted or not', async () => {
    await restartWith((c) => ({ ...c, env: { MODEL_VARIANT: 'ml' }, promotedAtMs: 1 }));
    expect(h.runtime.readiness().detail).toMatch(/SAFE MODE.*target demo: the candidate sets MODEL_VARIANT, which only Guardrail sets/);
  });
});
