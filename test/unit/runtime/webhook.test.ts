import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingAlert } from '../../../controller/ports/controller.js';
import { createHarness, type Harness } from './harness.js';

// No lost triggers, bounded replays (issue #14, findings 5 and 12): an Alertmanager alert refused only for
// now is held and acts once it can; one that acted (or was refused for good) stays a duplicate however
// many other alerts arrive; nothing is remembered for alerts no trigger matches.

let h: Harness;
afterEach(async () => h.cleanup());

const STARTS = '2026-11-27T10:00:00.000Z';
const firing = (fingerprint: string, alertname = 'DemoHighErrorRate'): IncomingAlert => ({ status: 'firing', labels: { alertname }, startsAt: STARTS, fingerprint });
const resolved = (fingerprint: string): IncomingAlert => ({ ...firing(fingerprint), status: 'resolved' });

// These tests are about holding and deduplication, so the trigger acts without asking Prometheus;
// corroboration has its own tests (operations.test.ts).
const uncorroborated = (yaml: string): string => yaml.replace('reason: high-error-rate\n', 'reason: high-error-rate\n      corroborate: false\n');

async function webhook(...alerts: IncomingAlert[]) {
  const outcome = await h.runtime.alertmanagerWebhook(alerts);
  await h.runtime.idle();
  return { queued: outcome.queued.length, duplicates: outcome.duplicates, unmatched: outcome.unmatched, ops: outcome.queued.map((o) => h.runtime.operation(o.id)) };
}

async function pause(): Promise<void> {
  await h.runtime.submit('demo', { kind: 'pause', actor: 'ops', reason: 'maintenance', untilMs: h.clock + 60_000 });
  await h.runtime.idle();
}

describe('webhook alerts refused for now are held, not lost', () => {
  it('during a pause: held (re-sends are duplicates), then acts at the first tick after the resume', async () => {
    h = await createHarness(uncorroborated);
    await pause();
    const first = await webhook(firing('fp1'));
    expect(first).toMatchObject({ queued: 1, ops: [{ status: 'refused', message: expect.stringMatching(/^held, decided again after each tick: automation is paused until /) }] });
    expect(await webhook(firing('fp1'))).toMatchObject({ queued: 0, duplicates: 1 });
    for (let i = 0; i < 3; i++) await h.tick();
    expect(h.actuator.calls).toEqual([]);
    expect(h.runtime.status()[0]?.heldTriggers).toEqual([
      { alertname: 'DemoHighErrorRate', reason: 'high-error-rate', fingerprint: 'fp1', since: new Date(h.clock - 6_000).toISOString(), why: expect.stringContaining('automation is paused') },
    ]);
    expect(await h.runtime.metrics.registry.metrics()).toMatch(/guardrail_webhook_alerts_total\{outcome="held"\} 1/);

    await h.runtime.submit('demo', { kind: 'resume', actor: 'ops', reason: 'done' });
    await h.runtime.idle();
    expect(h.actuator.calls).toEqual([]);
    await h.tick();
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);
    const { entries } = await h.runtime.history({ limit: 5, offset: 0 });
    expect(entries.map((e) => e.trigger)).toEqual([{ kind: 'webhook', alertname: 'DemoHighErrorRate', labels: { alertname: 'DemoHighErrorRate' }, fingerprint: 'fp1' }]);
    expect(h.runtime.status()[0]?.heldTriggers).toEqual([]);
    // It acted: from now on its re-sends are plain duplicates, also after a restart.
    await h.restart();
    expect(await webhook(firing('fp1'))).toMatchObject({ queued: 0, duplicates: 1 });
    for (let i = 0; i < 3; i++) await h.tick();
    expect(h.actuator.calls).toHaveLength(1);
  });

  it('held until the pause expires by itself: the first tick after the expiry acts on it', async () => {
    h = await createHarness(uncorroborated);
    await pause(); // until clock + 60 s
    await webhook(firing('fp1'));
    h.clock += 56_000;
    await h.tick(); // 58 s: still paused
    expect(h.actuator.calls).toEqual([]);
    await h.tick(); // 60 s: the pause has expired
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);
    expect(h.runtime.status()[0]).toMatchObject({ phase: 'rolled_back', pause: null, heldTriggers: [] });
  });

  it('a held alert that Alertmanager resolves during the pause never acts', async () => {
    h = await createHarness(uncorroborated);
    await pause();
    await webhook(firing('fp1'));
    await webhook(resolved('fp1'));
    expect(h.runtime.status()[0]?.heldTriggers).toEqual([]);
    await h.runtime.submit('demo', { kind: 'resume', actor: 'ops', reason: 'done' });
    for (let i = 0; i < 3; i++) await h.tick();
    expect(h.actuator.calls).toEqual([]);
  });

  it('during the cooldown after a roll-forward, a critical reason is not held: the baking window rolls back at once', async () => {
    h = await createHarness(uncorroborated);
    await h.runtime.submit('demo', { kind: 'rollback', actor: 'ops', reason: 'test' });
    await h.runtime.idle();
    await h.runtime.submit('demo', { kind: 'rollforward', actor: 'ops', reason: 'fixed' });
    await h.runtime.idle();
    await webhook(firing('fp1'));
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline', null, 'baseline']);
    expect(h.sink.names()).not.toContain('GuardrailRollbackHeld');
  });

  it('during the cooldown after a roll-forward, a warning reason: the hold is announced, and the alert acts once the cooldown ends', async () => {
    h = await createHarness((y) => uncorroborated(y.replace('- name: high-error-rate\n    severity: critical', '- name: high-error-rate\n    severity: warning')));
    await h.runtime.submit('demo', { kind: 'rollback', actor: 'ops', reason: 'test' });
    await h.runtime.idle();
    await h.runtime.submit('demo', { kind: 'rollforward', actor: 'ops', reason: 'fixed' });
    await h.runtime.idle();
    await webhook(firing('fp1'));
    expect(h.sink.names().at(-1)).toBe('GuardrailRollbackHeld');
    expect(h.runtime.status()[0]?.heldTriggers[0]?.why).toMatch(/^held \(cooldown\): limits.cooldown after the roll-forward, until /);
    h.clock += 50_000; // the demo policy's cooldown is 1 m
    await h.tick();
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline', null]);
    h.clock += 10_000;
    await h.tick();
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline', null, 'baseline']);
    const { entries } = await h.runtime.history({ limit: 1, offset: 0 });
    expect(entries[0]?.trigger).toMatchObject({ kind: 'webhook', fingerprint: 'fp1' });
  });

  it('while a switch is in flight: decided after it on the target queue, refused for good (one switch, re-sends duplicates)', async () => {
    h = await createHarness(uncorroborated);
    let release = (): void => undefined;
    h.actuator.behaviour = () => new Promise((resolve) => (release = resolve));
    await h.runtime.submit('demo', { kind: 'rollback', actor: 'ops', reason: 'test' });
    while (h.actuator.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    const outcome = await h.runtime.alertmanagerWebhook([firing('fp1')]);
    release();
    await h.runtime.idle();
    expect(h.runtime.operation(outcome.queued[0]?.id ?? '')).toMatchObject({ status: 'refused', message: 'already rolled back' });
    expect(h.runtime.status()[0]?.heldTriggers).toEqual([]);
    expect(await webhook(firing('fp1'))).toMatchObject({ queued: 0, duplicates: 1 });
    expect(h.actuator.calls).toHaveLength(1);
  });

  it('in safe mode: held in memory only, the untrusted state file is not rewritten', async () => {
    h = await createHarness(uncorroborated);
    const stateFile = join(h.stateDir, 'state.json');
    await writeFile(stateFile, '{"format":"guardrail-state","version":1,"state":{"targets":');
    await h.restart();
    const before = await readFile(stateFile, 'utf8');
    const first = await webhook(firing('fp1'));
    expect(first.ops[0]).toMatchObject({ status: 'refused', message: expect.stringMatching(/^held until safe mode ends: /) });
    expect(await webhook(firing('fp1'))).toMatchObject({ queued: 0, duplicates: 1 });
    expect(await readFile(stateFile, 'utf8')).toBe(before);
    expect(h.actuator.calls).toEqual([]);
  });
});

describe('replays are bounded', () => {
  it('1,000 distinct unmatched alerts, then 1,000 refused ones, do not flush the memory of the alert that acted', async () => {
    h = await createHarness(uncorroborated);
    await webhook(firing('fp-acted'));
    expect(h.actuator.calls).toHaveLength(1);
    const unmatched = Array.from({ length: 1_000 }, (_, i) => firing(`other-${i}`, 'SomethingElse'));
    expect(await webhook(...unmatched)).toMatchObject({ queued: 0, unmatched: 1_000 });
    const refused = Array.from({ length: 1_000 }, (_, i) => firing(`again-${i}`));
    expect(await webhook(...refused)).toMatchObject({ queued: 1_000 });
    expect(await webhook(firing('fp-acted'))).toMatchObject({ queued: 0, duplicates: 1 });
    // Rolled forward: a replay of the alert that acted still does nothing.
    await h.runtime.submit('demo', { kind: 'rollforward', actor: 'ops', reason: 'fixed' });
    await h.runtime.idle();
    h.clock += 120_000;
    expect(await webhook(firing('fp-acted'))).toMatchObject({ queued: 0, duplicates: 1 });
    await h.tick();
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline', null]);
    const saved = JSON.parse(await readFile(join(h.stateDir, 'state.json'), 'utf8')) as { state: { seenWebhooks: { fate: string }[] } };
    expect(saved.state.seenWebhooks.filter((e) => e.fate === 'acted')).toHaveLength(1);
    expect(saved.state.seenWebhooks.length).toBeLessThanOrEqual(1_001);
  });

  it('bounded by time: an alert not re-sent for the dedup window is forgotten', async () => {
    h = await createHarness(uncorroborated);
    await h.restart({ webhookDedupWindowMs: 3_600_000 });
    await webhook(firing('fp1'));
    await h.runtime.submit('demo', { kind: 'rollforward', actor: 'ops', reason: 'fixed' });
    await h.runtime.idle();
    h.clock += 3_599_000;
    expect(await webhook(firing('fp1'))).toMatchObject({ queued: 0, duplicates: 1 }); // a re-send: one more hour
    h.clock += 3_599_000;
    expect(await webhook(firing('fp1'))).toMatchObject({ queued: 0, duplicates: 1 });
    h.clock += 3_600_000;
    expect(await webhook(firing('fp1'))).toMatchObject({ queued: 1, duplicates: 0 });
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline', null, 'baseline']);
  });
});
