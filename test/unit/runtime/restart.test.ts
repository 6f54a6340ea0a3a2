import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

// Restarts: the state file brings back an active rollback with its true start; an interrupted switch is
// reconciled and finished; a corrupt state file means safe mode, not a fresh start.

let h: Harness;
afterEach(async () => h.cleanup());

async function rollBack(): Promise<void> {
  h.metrics.errorRatio(0.4);
  for (let i = 0; i < 4; i++) await h.tick();
  expect(h.runtime.status()[0]?.phase).toBe('rolled_back');
}

describe('restart', () => {
  it('an active rollback keeps its true start; the lasting warning counts from it', async () => {
    h = await createHarness();
    await rollBack();
    h.metrics.errorRatio(0); // the baseline cured it (a breach that lasts is "the baseline breaches too")
    const before = h.runtime.status()[0]?.rollback;
    h.clock += 60_000;
    await h.restart();
    const after = h.runtime.status()[0];
    expect(after?.phase).toBe('rolled_back');
    expect(after?.rollback?.startedAt).toBe(before?.startedAt);
    expect(after?.rollback?.ageSeconds).toBe(60);
    // The restart re-sends the still-firing start notice (Alertmanager forgets what is not re-posted).
    expect(h.sink.names()).toEqual(['GuardrailRollbackStarted', 'GuardrailRollbackStarted']);
    h.clock += 60_000; // 2 min since the TRUE start = the demo policy's warnAfter
    await h.tick();
    expect(h.sink.names().at(-1)).toBe('GuardrailRollbackLasting');
    expect(h.actuator.calls).toHaveLength(1);
  });

  it('a switch interrupted by a crash is reconciled, finished once, and recorded', async () => {
    h = await createHarness();
    h.actuator.behaviour = () => new Promise(() => undefined); // hangs: the controller "dies" mid-switch
    h.metrics.errorRatio(0.4);
    for (let i = 0; i < 3; i++) await h.tick();
    h.clock += 2_000;
    void h.runtime.tickAll();
    while (h.actuator.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    const saved = JSON.parse(await readFile(join(h.stateDir, 'state.json'), 'utf8')) as { state: { inFlight: Record<string, { steps: Record<string, string>; value: string }> } };
    expect(saved.state.inFlight['demo']).toMatchObject({ value: 'baseline', steps: { demo: 'inspected' } });

    h.actuator.behaviour = () => Promise.resolve();
    await h.restart();
    expect(h.actuator.reconciles).toEqual([{ target: 'demo', entry: { rollbackId: expect.stringMatching(/^rb-demo-/), value: 'baseline', lastStep: 'inspected' } }]);
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline', 'baseline']);
    expect(h.runtime.status()[0]?.phase).toBe('rolled_back');
    const { entries } = await h.runtime.history({ limit: 5, offset: 0 });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ result: 'succeeded' });
    const after = JSON.parse(await readFile(join(h.stateDir, 'state.json'), 'utf8')) as { state: { inFlight: Record<string, unknown> } };
    expect(after.state.inFlight).toEqual({});
  });

  it('a hand-restored state "rolling_back" without its intent is resumed, not left waiting', async () => {
    h = await createHarness();
    h.actuator.behaviour = () => new Promise(() => undefined);
    h.metrics.errorRatio(0.4);
    for (let i = 0; i < 3; i++) await h.tick();
    h.clock += 2_000;
    void h.runtime.tickAll();
    while (h.actuator.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    const file = join(h.stateDir, 'state.json');
    const saved = JSON.parse(await readFile(file, 'utf8')) as { state: { inFlight: object } };
    saved.state.inFlight = {};
    await writeFile(file, JSON.stringify(saved));

    h.actuator.behaviour = () => Promise.resolve();
    await h.restart();
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline', 'baseline']);
    expect(h.runtime.status()[0]?.phase).toBe('rolled_back');
    const { entries } = await h.runtime.history({ limit: 5, offset: 0 });
    expect(entries.map((e) => `${e.action}:${e.result}`)).toEqual(['rollback:succeeded']);
  });

  it('a corrupt state file: safe mode (not ready, CRITICAL alert, no automatic action) until an operator resumes', async () => {
    h = await createHarness();
    await h.tick();
    await writeFile(join(h.stateDir, 'state.json'), '{"format":"guardrail-state","vers');
    await h.restart();
    expect(h.runtime.readiness()).toMatchObject({ ready: false, detail: expect.stringMatching(/^SAFE MODE: state file cannot be trusted/) });
    expect(h.sink.alerts.map((a) => `${a.name}/${a.severity}`)).toEqual(['GuardrailStateCorrupt/critical']);
    h.metrics.errorRatio(0.4);
    for (let i = 0; i < 6; i++) await h.tick();
    expect(h.actuator.calls).toEqual([]);
    expect(await readFile(join(h.stateDir, 'state.json'), 'utf8')).toBe('{"format":"guardrail-state","vers');

    const resumed = await h.runtime.submit('demo', { kind: 'resume', actor: 'ops', reason: 'checked' });
    expect(resumed).toMatchObject({ outcome: 'accepted', operation: { status: 'done' } });
    expect(h.runtime.readiness().ready).toBe(true);
    for (let i = 0; i < 4; i++) await h.tick();
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);
  });

  it('a bad policy edit keeps the last good set and shows the error; fixing it clears the error', async () => {
    h = await createHarness();
    const file = join(h.policiesDir, 'demo.yaml');
    const good = await readFile(file, 'utf8');
    await writeFile(file, good.replace('interval: 2s', 'interval: soon'));
    await h.runtime.reloadPolicies();
    const view = h.runtime.policies();
    expect(view.policies.map((p) => p.name)).toEqual(['demo']);
    expect(view.lastReloadError?.errors.join('\n')).toMatch(/demo\.yaml:\d+:\d+ /);
    expect(h.runtime.readiness()).toMatchObject({ ready: true, detail: expect.stringContaining('the last reload failed') });
    // Not only logged: a WARNING naming file:line, and the previous set keeps ticking.
    await h.runtime.idle();
    const line = good.split('\n').findIndex((l) => l.includes('interval: 2s')) + 1;
    const raised = h.sink.alerts.filter((a) => a.name === 'GuardrailPolicyReloadFailed');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ severity: 'warning', target: 'guardrail', startsAtMs: h.clock });
    expect(raised[0]?.summary).toMatch(new RegExp(`^Policy load failed at .*demo\\.yaml:${line}:\\d+ .*; the previous 1 policy stays active$`));
    expect(raised[0]?.resolvedAtMs).toBeUndefined();
    h.metrics.errorRatio(0.4);
    for (let i = 0; i < 4; i++) await h.tick();
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);

    await writeFile(file, good);
    await h.runtime.reloadPolicies();
    await h.runtime.idle();
    expect(h.runtime.policies().lastReloadError).toBeNull();
    expect(h.sink.names().filter((n) => n.startsWith('GuardrailPolicyReloadFailed'))).toEqual(['GuardrailPolicyReloadFailed', 'GuardrailPolicyReloadFailed:resolved']);
  });

  it('a policy set that does not load at startup raises the same WARNING: nothing is guarded', async () => {
    h = await createHarness((yaml) => yaml.replace('interval: 2s', 'interval: soon'));
    await h.runtime.idle();
    expect(h.runtime.readiness()).toMatchObject({ ready: false, detail: expect.stringMatching(/^no policies loaded: .*demo\.yaml:\d+:\d+ /) });
    const [alert] = h.sink.alerts.filter((a) => a.name === 'GuardrailPolicyReloadFailed');
    expect(alert?.summary).toMatch(/demo\.yaml:\d+:\d+ .*; no policy is loaded: Guardrail guards nothing until the files load$/);
  });
});
