// The shadow candidate and its roll-forward gate through the runtime (demo policy: 2 s ticks, gate `for` 20 s
// over 15 s windows): the gate's evidence in status and /metrics, the automatic roll-forward on it, a manual
// roll-forward refused while it breaches (409 with the evidence) unless forced, allowed with a warning on
// UNKNOWN evidence, and the candidate's maintenance (created while rolled back, removed after, a failure alerted).
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../../controller/core/index.js';
import type { StandbyReport } from '../../../controller/ports/actuator.js';
import { createHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => h.cleanup());

async function rolledBack(shadow: Harness['metrics']['shadow']): Promise<void> {
  h = await createHarness();
  h.metrics.shadow = shadow;
  expect(await h.runtime.submit('demo', { kind: 'rollback', actor: 'alice', reason: 'bad model' })).toMatchObject({ outcome: 'accepted' });
  await h.runtime.idle();
  expect(h.runtime.status()[0]?.phase).toBe('rolled_back');
}

async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await h.tick();
}

describe('automatic roll-forward on the gate', () => {
  it('a good candidate is promoted once the gate has passed for 20 s, and the history says why', async () => {
    await rolledBack('good');
    await ticks(10); // judged from the first tick on: 18 s of passing evidence
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);
    expect(h.runtime.status()[0]?.shadow).toMatchObject({ verdict: 'ok', passingSeconds: 18, forSeconds: 20 });
    await ticks(1);
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline', null]);
    expect(h.runtime.status()[0]?.phase).toBe('watching');
    const { entries } = await h.runtime.history({ limit: 1, offset: 0 });
    expect(entries[0]).toMatchObject({ action: 'rollforward', reason: 'shadow-gate-passed', trigger: { kind: 'automatic' }, result: 'succeeded' });
    expect(entries[0]?.evidence.conditions.map((c) => [c.conditionId, c.value])).toEqual([
      ['rollforward.gate.requests', 600],
      ['rollforward.gate.errorRatio', 0],
      ['rollforward.gate.p95Seconds', 0.1],
      ['rollforward.gate.agreement', 0.97],
    ]);
  });

  it('a failing candidate is never promoted, and status shows why', async () => {
    await rolledBack('failing');
    await ticks(30);
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);
    const shadow = h.runtime.status()[0]?.shadow;
    expect(shadow).toMatchObject({ mode: 'automatic', verdict: 'breach', requests: 600, errorRatio: 0.5, p95Seconds: 0.1, agreement: 0.97, passingSeconds: 0 });
    expect(shadow?.bounds.map((b) => [b.bound, b.status])).toEqual([
      ['requests', 'ok'],
      ['errorRatio', 'breach'],
      ['p95Seconds', 'ok'],
      ['agreement', 'ok'],
    ]);
  });

  it('no shadow metrics (UNKNOWN) never promote either', async () => {
    await rolledBack('none');
    await ticks(30);
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);
    expect(h.runtime.status()[0]?.shadow).toMatchObject({ verdict: 'unknown', requests: null });
  });

  it('the gate shows on /metrics while judged: its bounds as conditions, its verdict and `for` progress', async () => {
    await rolledBack('failing');
    await ticks(2);
    const text = await h.runtime.metrics.registry.metrics();
    expect(text).toContain('guardrail_condition_value{target="demo",condition="rollforward.gate.errorRatio"} 0.5');
    expect(text).toContain('guardrail_shadow_gate_state{target="demo",state="breach"} 1');
    expect(text).toContain('guardrail_shadow_gate_for_seconds{target="demo"} 20');
  });
});

describe('manual roll-forward and the shadow evidence', () => {
  it('while a bound breaches: 409 naming the bound, with the evidence; forced: accepted, with a warning, recorded with the evidence', async () => {
    await rolledBack('failing');
    await ticks(2);
    const refused = await h.runtime.submit('demo', { kind: 'rollforward', actor: 'alice', reason: 'fixed' });
    expect(refused).toMatchObject({ outcome: 'conflict', inFlight: null, shadow: { verdict: 'breach', errorRatio: 0.5 } });
    if (refused.outcome !== 'conflict') throw new Error('not refused');
    expect(refused.reason).toBe('the shadow candidate breaches the roll-forward gate; roll forward anyway with force (guardrail rollforward --force): errorRatio 0.5 > 0.01 BREACH');
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);

    const forced = await h.runtime.submit('demo', { kind: 'rollforward', actor: 'alice', reason: 'fixed', force: true });
    expect(forced).toMatchObject({ outcome: 'accepted', warning: 'forced over a shadow gate BREACH: errorRatio 0.5 > 0.01 BREACH' });
    await h.runtime.idle();
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline', null]);
    const { entries } = await h.runtime.history({ limit: 1, offset: 0 });
    expect(entries[0]).toMatchObject({ action: 'rollforward', trigger: { kind: 'manual', actor: 'alice' } });
    expect(entries[0]?.evidence.conditions.find((c) => c.conditionId === 'rollforward.gate.errorRatio')?.value).toBe(0.5);
  });

  it('UNKNOWN evidence: accepted, with a warning that the candidate is not proven', async () => {
    await rolledBack('none');
    await ticks(2);
    const outcome = await h.runtime.submit('demo', { kind: 'rollforward', actor: 'alice', reason: 'fixed' });
    expect(outcome).toMatchObject({ outcome: 'accepted' });
    expect(outcome.outcome === 'accepted' ? outcome.warning : '').toMatch(/^the shadow evidence is UNKNOWN, the candidate is not proven: requests UNKNOWN \(low_traffic/);
  });

  it('a passing gate: accepted without a warning', async () => {
    await rolledBack('good');
    await ticks(2);
    const outcome = await h.runtime.submit('demo', { kind: 'rollforward', actor: 'alice', reason: 'fixed' });
    expect(outcome).toEqual({ outcome: 'accepted', operation: expect.objectContaining({ kind: 'rollforward' }) as unknown });
  });
});

describe('the candidate\'s maintenance', () => {
  function scriptShadow(answer: (service: ServiceSpec, wanted: boolean) => StandbyReport): { target: string; wanted: boolean }[] {
    const seen: { target: string; wanted: boolean }[] = [];
    Object.assign(h.actuator, {
      maintainShadow: (service: ServiceSpec, wanted: boolean) => {
        seen.push({ target: service.name, wanted });
        return Promise.resolve(answer(service, wanted));
      },
    });
    return seen;
  }

  it('is wanted while rolled back only, and its state shows in status', async () => {
    await rolledBack('failing');
    const seen = scriptShadow((s, wanted) => ({ target: s.name, state: wanted ? 'ready' : 'not-needed', detail: 'scripted', actions: [], instance: { id: 'c1', name: 'api-guardrail-shadow' } }));
    await ticks(1);
    expect(h.runtime.status()[0]?.shadow).toMatchObject({ state: 'ready', candidate: 'api-guardrail-shadow', detail: 'scripted' });
    await h.runtime.submit('demo', { kind: 'rollforward', actor: 'alice', reason: 'r', force: true });
    await h.runtime.idle();
    await ticks(1);
    expect(seen).toEqual([
      { target: 'demo', wanted: true },
      { target: 'demo', wanted: false },
    ]);
  });

  it('a candidate that fails raises one WARNING, resolved once it serves', async () => {
    await rolledBack('failing');
    let state: StandbyReport['state'] = 'failed';
    scriptShadow((s) => ({ target: s.name, state, detail: 'exited with code 1 after 3 restarts', actions: [] }));
    await ticks(3);
    state = 'ready';
    await ticks(1);
    expect(h.sink.names().filter((n) => n.startsWith('GuardrailShadowCandidateFailed'))).toEqual(['GuardrailShadowCandidateFailed', 'GuardrailShadowCandidateFailed:resolved']);
  });
});
