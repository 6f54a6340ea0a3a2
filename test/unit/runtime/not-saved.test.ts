import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../../controller/runtime/history.js';
import type { RuntimeState } from '../../../controller/runtime/runtime-state.js';
import type { HistoryLog, StateStore } from '../../../controller/ports/state-store.js';
import { openStorage } from '../../../controller/wiring/storage.js';
import { createHarness, type Harness } from './harness.js';

// A state directory that cannot be written (read-only, full): the rollback still happens, ONE CRITICAL
// per kind says what is not saved, and saving again resolves it. (A failed save used to throw out of the
// decision: the target stayed "rolling_back" forever and nothing was switched.)

let h: Harness;
afterEach(async () => h.cleanup());

const erofs = (): Error => Object.assign(new Error("EROFS: read-only file system, open '/var/lib/guardrail/state.json.tmp-1'"), { code: 'EROFS' });

describe('a state directory that cannot be written', () => {
  it('rolls back anyway, raises GuardrailStateNotSaved for the state file and the history, resolves both when saving works', async () => {
    h = await createHarness();
    const real = await openStorage(h.stateDir);
    let writable = false;
    const store: StateStore<RuntimeState> = {
      load: () => real.store.load(),
      save: (state) => (writable ? real.store.save(state) : Promise.reject(erofs())),
      distrust: (problem) => real.store.distrust(problem),
    };
    const history: HistoryLog<HistoryRecord> = {
      append: (entry) => (writable ? real.history.append(entry) : Promise.reject(erofs())),
      list: (filter) => real.history.list(filter),
    };
    await h.restart({ store, history });
    h.metrics.errorRatio(0.4);
    for (let i = 0; i < 4; i++) await h.tick();
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);
    expect(h.runtime.status()[0]).toMatchObject({ phase: 'rolled_back', variant: 'baseline' });
    const notSaved = h.sink.alerts.filter((a) => a.name === 'GuardrailStateNotSaved');
    expect(notSaved.map((a) => `${a.labels['kind']}/${a.severity}`)).toEqual(['state/critical', 'history/critical']);
    expect(notSaved[0]?.summary).toBe("Guardrail cannot save its state file: EROFS: read-only file system, open '/var/lib/guardrail/state.json.tmp-1'");
    expect(h.runtime.readiness()).toMatchObject({ ready: true, detail: expect.stringContaining('NOT SAVING: state not saved since') });

    writable = true;
    h.metrics.errorRatio(0);
    await h.runtime.submit('demo', { kind: 'rollforward', actor: 'ops', reason: 'fixed' });
    await h.runtime.idle();
    expect(h.sink.names().filter((n) => n.startsWith('GuardrailStateNotSaved'))).toEqual([
      'GuardrailStateNotSaved',
      'GuardrailStateNotSaved',
      'GuardrailStateNotSaved:resolved',
      'GuardrailStateNotSaved:resolved',
    ]);
    expect(h.runtime.readiness().detail).not.toContain('NOT SAVING');
    expect((await real.store.load())?.targets['demo']?.phase).toBe('watching');
  });
});
