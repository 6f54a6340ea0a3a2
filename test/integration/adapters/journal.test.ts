import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonlHistoryLog, type HistoryWarning } from '../../../controller/adapters/journal/jsonl-history.js';
import { FileStateStore } from '../../../controller/adapters/journal/state-file.js';
import { StateCorruptError } from '../../../controller/ports/state-store.js';
import { transpileForChild } from '../../helpers/transpile-for-child.js';

// The crash-safe journal on the real filesystem, including child processes SIGKILLed mid-save.

interface TestState {
  counter: number;
  count: number;
  sum: number;
  items: number[];
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'guardrail-journal-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fileIn = async (name: string): Promise<string> => join(await mkdtemp(join(dir, `${name}-`)), 'state.json');

async function corruptError(promise: Promise<unknown>): Promise<StateCorruptError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StateCorruptError);
  return err as StateCorruptError;
}

describe('FileStateStore', () => {
  it('returns undefined for a missing file (fresh start), then round-trips saves', async () => {
    const path = await fileIn('roundtrip');
    const store = new FileStateStore<{ phase: string; n: number }>({ path, now: () => Date.UTC(2026, 10, 27) });
    expect(await store.load()).toBeUndefined();
    await store.save({ phase: 'rolled_back', n: 1 });
    await store.save({ phase: 'watching', n: 2 });
    expect(await store.load()).toEqual({ phase: 'watching', n: 2 });
    expect(await new FileStateStore({ path }).load()).toEqual({ phase: 'watching', n: 2 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      format: 'guardrail-state',
      version: 1,
      savedAt: '2026-11-27T00:00:00.000Z',
      state: { phase: 'watching', n: 2 },
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('serialises concurrent saves: the last call wins', async () => {
    const path = await fileIn('concurrent');
    const store = new FileStateStore<number>({ path });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save(i)));
    expect(await store.load()).toBe(19);
    expect((await readdir(join(path, '..'))).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('refuses a file that is not JSON, keeps a copy aside, and keeps failing until a deliberate save', async () => {
    const path = await fileIn('garbage');
    await writeFile(path, '{"format":"guardrail-state","version":1,"state":{"pha');
    const store = new FileStateStore({ path });

    const first = await corruptError(store.load());
    expect(first.path).toBe(path);
    expect(first.problem).toContain('not valid JSON');
    expect(first.keptAt).toBe(`${path}.corrupt-1`);
    expect(first.message).toContain(path);
    expect(await readFile(`${path}.corrupt-1`, 'utf8')).toBe('{"format":"guardrail-state","version":1,"state":{"pha');

    // A restart must not quietly start fresh: the same error again, and no second copy of the same file.
    const again = await corruptError(new FileStateStore({ path }).load());
    expect(again.keptAt).toBe(`${path}.corrupt-1`);
    expect((await readdir(join(path, '..'))).sort()).toEqual(['state.json', 'state.json.corrupt-1']);

    // An operator's deliberate save replaces it; the kept copy survives.
    await store.save({ phase: 'safe' });
    expect(await store.load()).toEqual({ phase: 'safe' });
    expect(await readFile(`${path}.corrupt-1`, 'utf8')).toContain('"pha');
  });

  it('numbers further corrupt copies', async () => {
    const path = await fileIn('numbered');
    const store = new FileStateStore({ path });
    await writeFile(path, 'one');
    expect((await corruptError(store.load())).keptAt).toBe(`${path}.corrupt-1`);
    await store.save('good');
    await rm(path);
    await writeFile(path, 'two');
    expect((await corruptError(store.load())).keptAt).toBe(`${path}.corrupt-2`);
    expect(await readFile(`${path}.corrupt-2`, 'utf8')).toBe('two');
  });

  it('the kept copy is a real copy: editing state.json in place leaves the evidence as it was', async () => {
    const path = await fileIn('copy');
    await writeFile(path, 'torn {');
    const store = new FileStateStore({ path });
    const kept = (await corruptError(store.load())).keptAt ?? '';
    await writeFile(path, 'edited by hand'); // in place: same inode
    expect(await readFile(kept, 'utf8')).toBe('torn {');
    // A different bad content is kept as a second copy, not matched to the first.
    expect((await corruptError(store.load())).keptAt).toBe(`${path}.corrupt-2`);
  });

  it('distrust: a state the caller found invalid is kept aside and reported with its problem', async () => {
    const path = await fileIn('distrust');
    const store = new FileStateStore<{ phase: string }>({ path });
    await store.save({ phase: 'exploded' });
    expect(await store.load()).toEqual({ phase: 'exploded' });
    const error = await store.distrust('unknown phase "exploded"');
    expect(error.problem).toBe('unknown phase "exploded"');
    expect(error.keptAt).toBe(`${path}.corrupt-1`);
    expect(await readFile(`${path}.corrupt-1`, 'utf8')).toContain('"exploded"');
  });

  it.each([
    ['an empty file', '', 'the file is empty'],
    ['a JSON array', '[]', 'not an object'],
    ['another format', '{"format":"other","version":1,"state":{}}', '"format" field is "other"'],
    ['no version', '{"format":"guardrail-state","state":{}}', '"version" field is missing'],
    ['an unknown schema version', '{"format":"guardrail-state","version":2,"state":{}}', 'schema version 2 is not the version 1'],
    ['no state', '{"format":"guardrail-state","version":1}', '"state" field is missing'],
  ])('refuses %s', async (_name, content, problem) => {
    const path = await fileIn('refuse');
    await writeFile(path, content);
    expect((await corruptError(new FileStateStore({ path }).load())).problem).toContain(problem);
  });

  it('refuses a state its validator rejects, with the validator message', async () => {
    const path = await fileIn('validate');
    const validate = (s: unknown): { n: number } => {
      if (typeof s !== 'object' || s === null || typeof (s as { n?: unknown }).n !== 'number') throw new Error('n must be a number');
      return s as { n: number };
    };
    await new FileStateStore<unknown>({ path }).save({ n: 'seven' });
    const err = await corruptError(new FileStateStore({ path, validate }).load());
    expect(err.problem).toBe('the state is invalid: n must be a number');
  });

  it('removes temp files left by a crashed save', async () => {
    const path = await fileIn('stale');
    await writeFile(`${path}.tmp-999999-1`, '{"half');
    const store = new FileStateStore({ path });
    await store.save(1);
    expect(await store.load()).toBe(1);
    expect(await readdir(join(path, '..'))).toEqual(['state.json']);
  });
});

describe('JsonlHistoryLog', () => {
  interface Entry {
    seq: number;
    target: string;
    atMs: number;
  }
  const entries: Entry[] = [
    { seq: 1, target: 'api', atMs: 1_000 },
    { seq: 2, target: 'web', atMs: 2_000 },
    { seq: 3, target: 'api', atMs: 3_000 },
    { seq: 4, target: 'api', atMs: 4_000 },
  ];

  it('appends durably and lists with target, since, order, limit and offset', async () => {
    const path = join(await mkdtemp(join(dir, 'history-')), 'history.jsonl');
    const log = new JsonlHistoryLog<Entry>({ path });
    expect(await log.list()).toEqual([]);
    for (const e of entries) await log.append(e);

    const reopened = new JsonlHistoryLog<Entry>({ path });
    expect((await reopened.list()).map((e) => e.seq)).toEqual([4, 3, 2, 1]);
    expect((await reopened.list({ order: 'oldest_first' })).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect((await reopened.list({ target: 'api' })).map((e) => e.seq)).toEqual([4, 3, 1]);
    expect((await reopened.list({ since: 2_000 })).map((e) => e.seq)).toEqual([4, 3, 2]);
    expect((await reopened.list({ target: 'api', limit: 1, offset: 1 })).map((e) => e.seq)).toEqual([3]);
    expect(await readFile(path, 'utf8')).toBe(entries.map((e) => `${JSON.stringify({ v: 1, entry: e })}\n`).join(''));
  });

  it('skips a torn last line with a warning and keeps the next append intact', async () => {
    const path = join(await mkdtemp(join(dir, 'torn-')), 'history.jsonl');
    await writeFile(path, `${JSON.stringify({ v: 1, entry: entries[0] })}\n{"v":1,"entry":{"seq":2,"tar`);
    const warnings: HistoryWarning[] = [];
    const log = new JsonlHistoryLog<Entry>({ path, onWarning: (w) => warnings.push(w) });

    expect((await log.list()).map((e) => e.seq)).toEqual([1]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ path, line: 2 });
    expect(warnings[0]?.problem).toContain('torn last line');

    await log.append(entries[2] as Entry);
    warnings.length = 0;
    expect((await log.list({ order: 'oldest_first' })).map((e) => e.seq)).toEqual([1, 3]);
    // The torn line is still there (never rewritten), now followed by a newline, so it is "damaged", not last.
    expect(warnings.map((w) => w.line)).toEqual([2]);
    expect(warnings[0]?.problem).toContain('damaged line');
  });

  it('skips a damaged middle line and an unknown line version with warnings', async () => {
    const path = join(await mkdtemp(join(dir, 'damaged-')), 'history.jsonl');
    await writeFile(path, [JSON.stringify({ v: 1, entry: entries[0] }), 'garbage', JSON.stringify({ v: 9, entry: {} }), JSON.stringify({ v: 1, entry: entries[1] }), ''].join('\n'));
    const warnings: HistoryWarning[] = [];
    const log = new JsonlHistoryLog<Entry>({ path, onWarning: (w) => warnings.push(w) });
    expect((await log.list({ order: 'oldest_first' })).map((e) => e.seq)).toEqual([1, 2]);
    expect(warnings.map((w) => w.line)).toEqual([2, 3]);
    expect(warnings[1]?.problem).toContain('unknown line version 9');
  });
});

describe('crash safety: a child SIGKILLed in a loop of saves/appends', () => {
  let moduleDir: string;
  const CHILD = join(import.meta.dirname, 'fixtures', 'journal-crash-child.mjs');

  beforeAll(async () => {
    moduleDir = await transpileForChild([
      'controller/ports/state-store.ts',
      'controller/adapters/journal/fs.ts',
      'controller/adapters/journal/state-file.ts',
      'controller/adapters/journal/jsonl-history.ts',
    ]);
  });
  afterAll(async () => {
    await rm(moduleDir, { recursive: true, force: true });
  });

  /** Runs the child until it reported `minDone` calls plus a random extra delay, SIGKILLs it; returns the last reported. */
  async function runAndKill(mode: 'state' | 'history', file: string, extraDelayMs: number): Promise<number> {
    const child = spawn(process.execPath, [CHILD, moduleDir, mode, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lastDone = 0;
    let stderr = '';
    let buffered = '';
    let killTimer: NodeJS.Timeout | undefined;
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      buffered += c.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) lastDone = Math.max(lastDone, Number(line.replace('done ', '')));
      if (killTimer === undefined) killTimer = setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
    });
    const exit = await new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    if (exit !== 'SIGKILL') throw new Error(`child ended with ${String(exit)} instead of SIGKILL: ${stderr}`);
    return lastDone;
  }

  it('load() always returns a complete state, never a torn one, and never loses a finished save', async () => {
    const path = await fileIn('crash-state');
    const kills = 15;
    let previous = 0;
    for (let round = 0; round < kills; round++) {
      const lastDone = await runAndKill('state', path, 20 + Math.floor(Math.random() * 150));
      const state = await new FileStateStore<TestState>({ path }).load();
      expect(state).toBeDefined();
      const s = state as TestState;
      // Complete: internally consistent.
      expect(s.items).toHaveLength(s.count);
      expect(s.items.reduce((a, b) => a + b, 0)).toBe(s.sum);
      expect(s.items[0]).toBe(s.counter * 10_000);
      // Durable: at least the last save the child saw finish; at most the one in flight when killed.
      expect(s.counter).toBeGreaterThanOrEqual(lastDone);
      expect(s.counter).toBeLessThanOrEqual(lastDone + 1);
      expect(s.counter).toBeGreaterThan(previous);
      previous = s.counter;
    }
    const leftovers = (await readdir(join(path, '..'))).filter((n) => n !== 'state.json' && !n.includes('.tmp-'));
    expect(leftovers).toEqual([]);
  });

  it('the history keeps every finished append, in order, after repeated kills', async () => {
    const path = join(await mkdtemp(join(dir, 'crash-history-')), 'history.jsonl');
    const warnings: HistoryWarning[] = [];
    for (let round = 0; round < 8; round++) {
      const lastDone = await runAndKill('history', path, 20 + Math.floor(Math.random() * 150));
      const seqs = (await new JsonlHistoryLog<{ seq: number }>({ path, onWarning: (w) => warnings.push(w) }).list({ order: 'oldest_first' })).map((e) => e.seq);
      expect(seqs.length).toBeGreaterThanOrEqual(lastDone);
      expect(seqs.length).toBeLessThanOrEqual(lastDone + 1);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
    // A torn line can only ever be the last one; none is expected from a SIGKILL of a single write(2).
    expect(warnings.every((w) => w.problem.includes('torn last line'))).toBe(true);
  });
});
