import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, failWith, type Harness } from './harness.js';
import { RETRY_BASE_MS } from '../../../controller/core/index.js';

// The loop observe → decide → act → record, tick by tick, with the exact actuator calls per tick.

let h: Harness;
afterEach(async () => h.cleanup());

describe('runtime loop', () => {
  it('does nothing while healthy: no actuator call, no alert, watching', async () => {
    h = await createHarness();
    for (let i = 0; i < 6; i++) await h.tick();
    expect(h.actuator.calls).toEqual([]);
    expect(h.sink.alerts).toEqual([]);
    const [status] = h.runtime.status();
    expect(status?.phase).toBe('watching');
    expect(status?.lastEvaluation?.verdicts.map((v) => v.status)).toEqual(['ok', 'ok']);
  });

  it('a tick that decides nothing new writes nothing; a changed state is written', async () => {
    h = await createHarness();
    const savedAt = async (): Promise<string> => (JSON.parse(await readFile(join(h.stateDir, 'state.json'), 'utf8')) as { savedAt: string }).savedAt;
    await h.tick();
    await h.tick();
    const settled = await savedAt();
    for (let i = 0; i < 3; i++) await h.tick();
    expect(await savedAt()).toBe(settled);
    h.metrics.errorRatio(0.4); // a breach starts the reason's `for` timer: a new state
    await h.tick();
    expect(await savedAt()).not.toBe(settled);
  });

  it('rolls back exactly once after the breach is sustained for `for` (6 s at 2 s ticks), then stays put', async () => {
    h = await createHarness();
    await h.tick();
    h.metrics.errorRatio(0.4);
    const callsPerTick: number[] = [];
    for (let i = 0; i < 8; i++) {
      await h.tick();
      callsPerTick.push(h.actuator.calls.length);
    }
    // breach seen at tick 1 (0 s sustained), 2 s, 4 s, 6 s → the 4th breaching tick decides.
    expect(callsPerTick).toEqual([0, 0, 0, 1, 1, 1, 1, 1]);
    expect(h.actuator.calls).toEqual([{ target: 'demo', value: 'baseline', rollbackId: expect.stringMatching(/^rb-demo-\d+$/) }]);
    const [status] = h.runtime.status();
    expect(status?.phase).toBe('rolled_back');
    expect(status?.variant).toBe('baseline');
    expect(status?.rollback?.reason).toBe('high-error-rate');
    expect(h.sink.names()).toEqual(['GuardrailRollbackStarted']);
    expect(h.sink.alerts[0]?.severity).toBe('info');

    const { entries, total } = await h.runtime.history({ limit: 10, offset: 0 });
    expect(total).toBe(1);
    expect(entries[0]).toMatchObject({ action: 'rollback', target: 'demo', reason: 'high-error-rate', result: 'succeeded', trigger: { kind: 'automatic' } });
    expect(entries[0]?.evidence.conditions[0]).toMatchObject({ conditionId: 'reasons.high-error-rate', value: 0.4, threshold: 0.05 });
    expect(entries[0]?.endedAt).not.toBeNull();

    const metrics = await h.runtime.metrics.registry.metrics();
    expect(metrics).toMatch(/guardrail_rollbacks_total\{target="demo",reason="high-error-rate",trigger="automatic"\} 1/);
    expect(metrics).toMatch(/guardrail_rollback_active\{target="demo"\} 1/);
    expect(metrics).toMatch(/guardrail_target_phase\{target="demo",phase="rolled_back"\} 1/);
    // The gauge is set when the phase changes (not every tick): exactly one phase is 1.
    expect(metrics.match(/guardrail_target_phase\{target="demo",phase="\w+"\} 1/g)).toHaveLength(1);
    expect(metrics).toMatch(/guardrail_actuation_duration_seconds_count\{target="demo",action="rollback",result="succeeded"\} 1/);
  });

  it('the baseline breaches too: one CRITICAL once max(for, window) has passed after the verification, no second switch', async () => {
    h = await createHarness();
    h.metrics.errorRatio(0.4);
    for (let i = 0; i < 4; i++) await h.tick();
    expect(h.runtime.status()[0]?.phase).toBe('rolled_back');
    // The demo reason: for 6 s on a 15 s window → the baseline's own breach after 15 s (ticks at 2 s).
    const names: string[][] = [];
    for (let i = 0; i < 10; i++) {
      await h.tick();
      names.push(h.sink.names());
    }
    expect(names.findIndex((n) => n.includes('GuardrailBaselineBreaching'))).toBe(7);
    expect(h.sink.names()).toEqual(['GuardrailRollbackStarted', 'GuardrailBaselineBreaching']);
    expect(h.sink.alerts[1]).toMatchObject({ severity: 'critical', labels: { reason: 'high-error-rate' } });
    expect(h.runtime.status()[0]?.rollback?.baselineBreach).toMatchObject({ reason: 'high-error-rate' });
    expect(h.actuator.calls).toHaveLength(1);
    h.metrics.errorRatio(0.01);
    await h.tick();
    expect(h.sink.names().at(-1)).toBe('GuardrailBaselineBreaching:resolved');
    expect(h.runtime.status()[0]?.rollback?.baselineBreach).toBeNull();
  });

  it('a breach that clears before `for` does nothing', async () => {
    h = await createHarness();
    h.metrics.errorRatio(0.4);
    await h.tick();
    await h.tick();
    h.metrics.errorRatio(0.01);
    for (let i = 0; i < 5; i++) await h.tick();
    expect(h.actuator.calls).toEqual([]);
    expect(h.runtime.status()[0]?.phase).toBe('watching');
  });

  it('low traffic (below minRequests) with errors does nothing', async () => {
    h = await createHarness();
    h.metrics.metrics = { ...h.metrics.metrics, traffic: { kind: 'value', value: 3 }, errorRatio: { kind: 'value', value: 0.5 } };
    for (let i = 0; i < 8; i++) await h.tick();
    expect(h.actuator.calls).toEqual([]);
    expect(h.runtime.status()[0]?.lastEvaluation?.verdicts[0]).toMatchObject({ status: 'unknown', cause: 'low_traffic' });
  });

  it('blind (Prometheus unreachable): never rolls back, warns once after blindAfter ticks, resolves when data is back', async () => {
    h = await createHarness();
    h.metrics.blind();
    for (let i = 0; i < 7; i++) await h.tick();
    expect(h.actuator.calls).toEqual([]);
    expect(h.sink.names()).toEqual(['GuardrailBlind']);
    expect(h.sink.alerts[0]?.severity).toBe('warning');
    h.metrics.metrics = { errorRatio: { kind: 'value', value: 0 }, latency: { kind: 'value', value: 0.1 }, traffic: { kind: 'value', value: 100 } };
    await h.tick();
    expect(h.sink.names()).toEqual(['GuardrailBlind', 'GuardrailBlind:resolved']);
    const metrics = await h.runtime.metrics.registry.metrics();
    expect(metrics).toMatch(/guardrail_evaluation_errors_total\{target="demo",cause="unreachable"\} 21/);
  });

  it('a failed rollback: phase failed, CRITICAL alert, history result restored, no retry by ticks', async () => {
    h = await createHarness();
    h.actuator.behaviour = failWith('demo', true);
    h.metrics.errorRatio(0.4);
    for (let i = 0; i < 7; i++) await h.tick();
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);
    const [status] = h.runtime.status();
    expect(status?.phase).toBe('failed');
    expect(status?.lastError).toContain('health check never passed');
    expect(h.sink.names()).toEqual(['GuardrailRollbackStarted', 'GuardrailRollbackFailed']);
    expect(h.sink.alerts[1]?.severity).toBe('critical');
    const { entries } = await h.runtime.history({ limit: 10, offset: 0 });
    expect(entries[0]).toMatchObject({ result: 'restored' });
  });

  it('a target of two services: when the second fails during a rollback, the first stays on the baseline and the second is retried', async () => {
    h = await createHarness((y) => y.replace('services: [api]', 'services: [api, consumer]'));
    h.actuator.behaviour = failWith('demo/consumer', true);
    h.metrics.errorRatio(0.4);
    for (let i = 0; i < 4; i++) await h.tick();
    expect(h.actuator.calls.map((c) => `${c.target}=${String(c.value)}`)).toEqual(['demo/api=baseline', 'demo/consumer=baseline']);
    const status = h.runtime.status()[0];
    expect(status?.phase).toBe('partially_rolled_back');
    expect(status?.rollback?.services).toEqual([
      { service: 'demo/api', onValue: true, detail: 'serves baseline' },
      { service: 'demo/consumer', onValue: false, detail: 'demo/consumer: health check never passed' },
    ]);
    expect(status?.rollback?.nextAttemptAt).toBe(new Date(h.clock + RETRY_BASE_MS).toISOString());
    expect(h.sink.names()).toEqual(['GuardrailRollbackStarted', 'GuardrailRollbackPartial']);
    const partial = h.sink.alerts[1];
    expect(partial).toMatchObject({ severity: 'critical' });
    expect(partial?.summary).toBe('Rollback of demo INCOMPLETE: demo/consumer not on baseline (demo/consumer: health check never passed)');
    // Nothing before the backoff; then the same rollback again: api is already there, the consumer gets there.
    await h.tick();
    expect(h.actuator.calls).toHaveLength(2);
    h.actuator.behaviour = () => Promise.resolve();
    h.clock += RETRY_BASE_MS;
    await h.tick();
    expect(h.actuator.calls.map((c) => `${c.target}=${String(c.value)}`).slice(2)).toEqual(['demo/api=baseline', 'demo/consumer=baseline']);
    expect(h.runtime.status()[0]).toMatchObject({ phase: 'rolled_back', lastError: null, rollback: { attempts: 2, nextAttemptAt: null, services: [] } });
    expect(h.sink.names().slice(2)).toEqual(['GuardrailRollbackPartial:resolved']);
    const { entries } = await h.runtime.history({ limit: 5, offset: 0 });
    expect(entries.map((e) => `${e.id.replace(/\d+/g, 'N')}:${e.result}`)).toEqual(['rb-demo-N-retryN:succeeded', 'rb-demo-N:partial']);
  });

  it('a roll-forward stays all-or-nothing: when the second service cannot verify, the first goes back to the baseline', async () => {
    h = await createHarness((y) => y.replace('services: [api]', 'services: [api, consumer]'));
    h.metrics.errorRatio(0.4);
    for (let i = 0; i < 4; i++) await h.tick();
    expect(h.runtime.status()[0]?.phase).toBe('rolled_back');
    h.actuator.behaviour = failWith('demo/consumer', true, null);
    h.metrics.errorRatio(0);
    await h.runtime.submit('demo', { kind: 'rollforward', actor: 'ops', reason: 'fixed' });
    await h.runtime.idle();
    expect(h.actuator.calls.map((c) => `${c.target}=${String(c.value)}`).slice(2)).toEqual(['demo/api=null', 'demo/consumer=null', 'demo/api=baseline']);
    expect(h.runtime.status()[0]?.phase).toBe('rolled_back');
    expect(h.runtime.status()[0]?.lastError).toMatch(/demo\/consumer: .*switching back demo\/api ok/);
  });

  it('an alert sink that fails is counted and never stops the loop', async () => {
    h = await createHarness();
    h.sink.failing = true;
    h.metrics.errorRatio(0.4);
    for (let i = 0; i < 4; i++) await h.tick();
    expect(h.actuator.calls).toHaveLength(1);
    expect(h.runtime.status()[0]?.phase).toBe('rolled_back');
    expect(await h.runtime.metrics.registry.metrics()).toMatch(/guardrail_alert_send_failures_total\{sink="recording"\} 1/);
    // Retried on the next tick once the receiver is back.
    h.sink.failing = false;
    await h.tick();
    expect(h.sink.names()).toEqual(['GuardrailRollbackStarted']);
  });
});
