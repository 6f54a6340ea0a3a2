import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../controller/adapters/journal/index.js';
import { initialState, type Policy, type TargetState } from '../../../controller/core/index.js';
import { emptyRuntimeState, type RuntimeState } from '../../../controller/runtime/runtime-state.js';
import { StateSaver } from '../../../controller/runtime/state-saver.js';

// Group commit over the real state file: decisions made in one event-loop turn share one write, a change
// made while a write runs gets the next one, every caller resolves only after a write holding its change,
// and a failed write reaches each of its callers and is retried by the next save.

const policy = (name: string): Policy => ({ name, target: { name } }) as Policy;

/** The real FileStateStore, counting its saves. */
class CountingStore extends FileStateStore<RuntimeState> {
  saves = 0;
  override save(state: RuntimeState): Promise<void> {
    this.saves += 1;
    return super.save(state);
  }
}

let dir: string;
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function setUp(sub = ''): Promise<{ store: CountingStore; saver: StateSaver; state: RuntimeState; path: string }> {
  dir = await mkdtemp(join(tmpdir(), 'guardrail-saver-'));
  const path = join(dir, sub, 'state.json');
  const store = new CountingStore({ path });
  return { store, saver: new StateSaver(store), state: emptyRuntimeState(), path };
}

const set = (state: RuntimeState, saver: StateSaver, name: string, target: TargetState): void => {
  (state.targets as Record<string, TargetState>)[name] = target;
  saver.touch(name);
};

const onDisk = async (path: string): Promise<RuntimeState> => (JSON.parse(await readFile(path, 'utf8')) as { state: RuntimeState }).state;

describe('StateSaver', () => {
  it('100 decisions in one turn: one write, holding all of them, before any caller resolves', async () => {
    const { store, saver, state, path } = await setUp();
    const saves = Array.from({ length: 100 }, (_, i) => {
      set(state, saver, `t${i}`, initialState(policy(`t${i}`), 1));
      return saver.save(() => state).then(async () => Object.keys((await onDisk(path)).targets).length);
    });
    expect(await Promise.all(saves)).toEqual(Array.from({ length: 100 }, () => 100));
    expect(store.saves).toBe(1);
  });

  it('a change made while a write runs is written by a second write; an unchanged state writes nothing', async () => {
    const { store, saver, state, path } = await setUp();
    set(state, saver, 'a', initialState(policy('a'), 1));
    const first = saver.save(() => state);
    while (store.saves === 0) await new Promise((resolve) => setImmediate(resolve)); // the first write has taken its snapshot
    set(state, saver, 'b', initialState(policy('b'), 2));
    const second = saver.save(() => state);
    await first;
    await second;
    expect(Object.keys((await onDisk(path)).targets)).toEqual(['a', 'b']);
    expect(store.saves).toBe(2);
    await saver.save(() => state);
    expect(store.saves).toBe(2);
  });

  it('a failed write rejects every caller that joined it; the next save writes their changes', async () => {
    const { store, saver, state, path } = await setUp('missing-dir');
    set(state, saver, 'a', initialState(policy('a'), 1));
    const joined = [saver.save(() => state), saver.save(() => state)];
    for (const result of await Promise.allSettled(joined)) expect(result.status).toBe('rejected');
    await mkdir(join(dir, 'missing-dir'));
    await saver.save(() => state);
    expect(Object.keys((await onDisk(path)).targets)).toEqual(['a']);
    expect(store.saves).toBe(2);
  });
});
