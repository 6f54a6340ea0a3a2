import { constants } from 'node:fs';
import { copyFile, readdir, readFile, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StateCorruptError, type StateStore } from '../../ports/state-store.js';
import { SerialQueue, fsyncDirectory, isErrnoCode, writeFileAtomic } from './fs.js';

// StateStore in one JSON file, replaced atomically on every save (see journal-fs.ts). The envelope
// carries a format name and a schema version so a file from another program or a future version is
// refused instead of misread.
//
// On a corrupt file load() throws StateCorruptError and keeps a copy next to it as `<file>.corrupt-<n>`.
// The original is deliberately left in place: if it were renamed away, the next restart would find no file
// and start fresh silently, which is the failure this error exists to prevent. It stays corrupt, and load()
// keeps failing, until someone saves a state on purpose. The copy is a real copy, never a hard link: an
// edit of state.json in place (an operator fixing it by hand) must not rewrite the evidence too.

export const STATE_FORMAT = 'guardrail-state';

export interface StateEnvelope<T> {
  readonly format: typeof STATE_FORMAT;
  readonly version: number;
  readonly savedAt: string;
  readonly state: T;
}

export interface FileStateStoreOptions<T> {
  readonly path: string;
  /** The schema version this build writes and reads. Bump it when T changes incompatibly. */
  readonly version?: number;
  /**
   * Checks (and may normalise) the parsed `state`. Throw an Error whose message says what is wrong;
   * it becomes StateCorruptError.problem. Without it, any JSON value is accepted.
   */
  readonly validate?: (state: unknown) => T;
  /** The clock for `savedAt`. */
  readonly now?: () => number;
}

export class FileStateStore<T> implements StateStore<T> {
  readonly path: string;
  readonly version: number;
  private readonly validate: (state: unknown) => T;
  private readonly now: () => number;
  private readonly queue = new SerialQueue();
  private tempCounter = 0;

  constructor(options: FileStateStoreOptions<T>) {
    this.path = options.path;
    this.version = options.version ?? 1;
    this.validate = options.validate ?? ((state) => state as T);
    this.now = options.now ?? Date.now;
  }

  load(): Promise<T | undefined> {
    return this.queue.run(async () => {
      await this.removeStaleTempFiles();
      let text: string;
      try {
        text = await readFile(this.path, 'utf8');
      } catch (err) {
        if (isErrnoCode(err, 'ENOENT')) return undefined;
        throw err; // EACCES, EISDIR ...: not corruption, and not a fresh start either.
      }
      const problem = this.findProblem(text);
      if (problem.ok) return problem.state;
      const keptAt = await this.keepAside();
      throw new StateCorruptError(this.path, problem.reason, keptAt, problem.cause);
    });
  }

  save(state: T): Promise<void> {
    return this.queue.run(async () => {
      const envelope: StateEnvelope<T> = { format: STATE_FORMAT, version: this.version, savedAt: new Date(this.now()).toISOString(), state };
      const tempPath = `${this.path}.tmp-${process.pid}-${++this.tempCounter}`;
      await writeFileAtomic(this.path, `${JSON.stringify(envelope)}\n`, tempPath);
    });
  }

  private findProblem(text: string): { ok: true; state: T } | { ok: false; reason: string; cause?: unknown } {
    if (text.trim() === '') return { ok: false, reason: 'the file is empty (a truncated write?)' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch (err) {
      return { ok: false, reason: `not valid JSON (${err instanceof Error ? err.message : String(err)}); torn or edited by hand?`, cause: err };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'the JSON is not an object' };
    const envelope = parsed as Record<string, unknown>;
    if (envelope['format'] !== STATE_FORMAT) return { ok: false, reason: `the "format" field is ${JSON.stringify(envelope['format'])}, not "${STATE_FORMAT}"` };
    if (typeof envelope['version'] !== 'number') return { ok: false, reason: 'the "version" field is missing or not a number' };
    if (envelope['version'] !== this.version) {
      return { ok: false, reason: `schema version ${envelope['version']} is not the version ${this.version} this build reads` };
    }
    if (!('state' in envelope)) return { ok: false, reason: 'the "state" field is missing' };
    try {
      return { ok: true, state: this.validate(envelope['state']) };
    } catch (err) {
      return { ok: false, reason: `the state is invalid: ${err instanceof Error ? err.message : String(err)}`, cause: err };
    }
  }

  /** The caller found the loaded state untrustworthy (policies.md: validated against the policy). */
  distrust(problem: string): Promise<StateCorruptError> {
    return this.queue.run(async () => new StateCorruptError(this.path, problem, await this.keepAside()));
  }

  /** Copies the bad file to the first free `<file>.corrupt-<n>`, reusing one that already holds the same bytes. */
  private async keepAside(): Promise<string | undefined> {
    const dir = dirname(this.path);
    const prefix = `${basename(this.path)}.corrupt-`;
    try {
      const original = await readFile(this.path);
      const taken = new Set<number>();
      for (const name of await readdir(dir)) {
        if (!name.startsWith(prefix)) continue;
        const n = Number(name.slice(prefix.length));
        if (!Number.isInteger(n)) continue;
        taken.add(n);
        // The same bytes: this very file was kept on an earlier load (e.g. the previous restart).
        if (original.equals(await readFile(join(dir, name)))) return join(dir, name);
      }
      let n = 1;
      while (taken.has(n)) n++;
      const keptAt = join(dir, `${prefix}${n}`);
      await copyFile(this.path, keptAt, constants.COPYFILE_EXCL);
      await fsyncDirectory(dir);
      return keptAt;
    } catch {
      // Keeping a copy is best effort (a read-only directory): the error itself must still reach the caller.
      return undefined;
    }
  }

  /** A crash between writing the temp file and the rename leaves `<file>.tmp-*`: an unfinished save. */
  private async removeStaleTempFiles(): Promise<void> {
    const dir = dirname(this.path);
    const prefix = `${basename(this.path)}.tmp-`;
    const ours = `${prefix}${process.pid}-`;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith(prefix) && !name.startsWith(ours)) await unlink(join(dir, name)).catch(() => undefined);
    }
  }
}
