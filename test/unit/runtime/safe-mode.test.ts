import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceSpec, VariantValue } from '../../../controller/core/index.js';
import { createHarness, type Harness } from './harness.js';

// Safe mode touches nothing (issue #14, findings 9-11): a state file that cannot be trusted, by its bytes
// or by its meaning against the policy, is never a reason to prepare, start, switch or save anything.

let h: Harness;
afterEach(async () => h.cleanup());

const statePath = (harness: Harness) => join(harness.stateDir, 'state.json');

type Json = Record<string, unknown>;
interface Envelope {
  state: Json;
}
const demoOf = (e: Envelope): Json => (e.state['targets'] as Record<string, Json>)['demo'] as Json;

/** A rolled-back target, then the state file changed by `edit` (parsed envelope in, text out). */
async function rolledBackThenEdited(edit: (envelope: Envelope) => string): Promise<string> {
  h = await createHarness();
  h.metrics.errorRatio(0.4);
  for (let i = 0; i < 4; i++) await h.tick();
  expect(h.runtime.status()[0]?.phase).toBe('rolled_back');
  const text = edit(JSON.parse(await readFile(statePath(h), 'utf8')) as Envelope);
  await writeFile(statePath(h), text);
  return text;
}

/** Restarts with a recording `prepare` (the process actuator's start); returns what it was asked. */
async function restartRecordingPrepare(): Promise<string[]> {
  const prepared: string[] = [];
  await h.restart({ prepare: (service: ServiceSpec, value: VariantValue) => Promise.resolve(void prepared.push(`${service.name}=${String(value)}`)) });
  return prepared;
}

async function expectSafeModeTouchingNothing(text: string, prepared: string[], problem: RegExp): Promise<void> {
  expect(h.runtime.readiness()).toMatchObject({ ready: false, detail: expect.stringMatching(/^SAFE MODE: state file cannot be trusted/) });
  expect(h.runtime.readiness().detail).toMatch(problem);
  const corrupt = h.sink.alerts.filter((a) => a.name === 'GuardrailStateCorrupt');
  expect(corrupt).toHaveLength(1);
  expect(corrupt[0]?.description).toMatch(problem);
  expect(prepared).toEqual([]);
  const calls = h.actuator.calls.length;
  h.metrics.errorRatio(0); // a healthy ML would be rolled forward ... not in safe mode
  for (let i = 0; i < 4; i++) await h.tick();
  expect(h.actuator.calls).toHaveLength(calls);
  expect(await readFile(statePath(h), 'utf8')).toBe(text);
  expect(await readFile(`${statePath(h)}.corrupt-1`, 'utf8')).toBe(text);
}

describe('safe mode touches nothing', () => {
  it('a truncated state while a rollback is active: nothing prepared (the baseline keeps running), nothing switched or saved', async () => {
    const text = await rolledBackThenEdited((e) => JSON.stringify(e).slice(0, 60));
    await expectSafeModeTouchingNothing(text, await restartRecordingPrepare(), /not valid JSON/);
  });

  it('a healthy state file prepares the target on the value it says (the control case)', async () => {
    await rolledBackThenEdited((e) => JSON.stringify(e));
    expect(await restartRecordingPrepare()).toEqual(['demo=baseline']);
    expect(h.runtime.readiness().ready).toBe(true);
  });

  it.each([
    ['an unknown phase', (e: Envelope) => (demoOf(e)['phase'] = 'exploded'), /target demo: unknown phase "exploded" \(known: watching, /],
    ['a value the policy does not name', (e: Envelope) => ((e.state['variants'] as Json)['demo'] = 'v9; rm -rf /'), /target demo: runs "v9; rm -rf \/", which policy demo does not name \(null \(variable absent\) or "baseline"\)/],
    ['a rollback id of another target', (e: Envelope) => ((demoOf(e)['rollback'] as Json)['rollbackId'] = 'rb-other-1'), /target demo: rollback id "rb-other-1" is not one of this target's/],
    ['a rolled-back phase without its rollback record', (e: Envelope) => (demoOf(e)['rollback'] = null), /target demo: phase rolled_back without its rollback record/],
  ])('%s: safe mode with the problem named, the file kept as a copy, nothing touched', async (_name, change, problem) => {
    const text = await rolledBackThenEdited((e) => {
      change(e);
      return JSON.stringify(e);
    });
    await expectSafeModeTouchingNothing(text, await restartRecordingPrepare(), problem);
    expect((await readdir(h.stateDir)).filter((n) => n.includes('.corrupt-'))).toEqual(['state.json.corrupt-1']);
  });
});
