import { open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { HistoryFilter, HistoryLog } from '../../ports/state-store.js';
import { SerialQueue, fsyncDirectory, isErrnoCode } from './fs.js';

// HistoryLog as JSON Lines: one `{"v":1,"entry":{...}}` per line, appended with O_APPEND and fsync'd
// before append() resolves. A crash can only tear the LAST line (earlier ones were fsync'd); such a line
// is skipped with a warning, and the next append first ends it with a newline so the new entry is not
// glued onto it. Nothing is ever rewritten or removed.

export const HISTORY_LINE_VERSION = 1;

export interface HistoryWarning {
  readonly path: string;
  /** 1-based line number. */
  readonly line: number;
  readonly problem: string;
}

export interface JsonlHistoryLogOptions<E> {
  readonly path: string;
  /** The entry's target, for `list({target})`; by default its `target` field. */
  readonly targetOf?: (entry: E) => string | undefined;
  /** The entry's time in ms since epoch, for `list({since})`; by default its `atMs` field. */
  readonly timeOf?: (entry: E) => number | undefined;
  /** Called for every line that is skipped (torn last line, or damage in the middle). */
  readonly onWarning?: (warning: HistoryWarning) => void;
}

export class JsonlHistoryLog<E> implements HistoryLog<E> {
  readonly path: string;
  private readonly targetOf: (entry: E) => string | undefined;
  private readonly timeOf: (entry: E) => number | undefined;
  private readonly onWarning: (warning: HistoryWarning) => void;
  private readonly queue = new SerialQueue();
  /** Whether the file is known to end with a newline (checked once, then kept true by our appends). */
  private endsCleanly = false;

  constructor(options: JsonlHistoryLogOptions<E>) {
    this.path = options.path;
    this.targetOf = options.targetOf ?? ((entry) => readField(entry, 'target', 'string'));
    this.timeOf = options.timeOf ?? ((entry) => readField(entry, 'atMs', 'number'));
    this.onWarning = options.onWarning ?? (() => undefined);
  }

  append(entry: E): Promise<void> {
    const line = `${JSON.stringify({ v: HISTORY_LINE_VERSION, entry })}\n`;
    return this.queue.run(async () => {
      const prefix = this.endsCleanly ? '' : await this.separatorNeeded();
      const handle = await open(this.path, 'a', 0o600);
      let created = false;
      try {
        created = (await handle.stat()).size === 0;
        await handle.appendFile(prefix + line, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      // A new file's directory entry must be durable too, or a power cut could lose the whole log.
      if (created) await fsyncDirectory(dirname(this.path));
      this.endsCleanly = true;
    });
  }

  list(filter: HistoryFilter = {}): Promise<E[]> {
    return this.queue.run(async () => {
      let entries = await this.readAll();
      if (filter.target !== undefined) entries = entries.filter((e) => this.targetOf(e) === filter.target);
      const since = filter.since;
      if (since !== undefined) entries = entries.filter((e) => (this.timeOf(e) ?? -Infinity) >= since);
      if ((filter.order ?? 'newest_first') === 'newest_first') entries.reverse();
      const offset = Math.max(0, filter.offset ?? 0);
      return entries.slice(offset, filter.limit === undefined ? undefined : offset + Math.max(0, filter.limit));
    });
  }

  private async readAll(): Promise<E[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT')) return [];
      throw err;
    }
    const lines = text.split('\n');
    const lastIndex = text.endsWith('\n') ? lines.length - 2 : lines.length - 1;
    const entries: E[] = [];
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      const entry = parseLine(line);
      if (entry.ok) {
        entries.push(entry.entry as E);
        return;
      }
      const torn = index === lastIndex && !text.endsWith('\n');
      this.onWarning({
        path: this.path,
        line: index + 1,
        problem: torn ? `torn last line skipped (a crash during append?): ${entry.problem}` : `damaged line skipped: ${entry.problem}`,
      });
    });
    return entries;
  }

  private async separatorNeeded(): Promise<string> {
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT')) return '';
      throw err;
    }
    try {
      const { size } = await handle.stat();
      if (size === 0) return '';
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      return last[0] === 0x0a ? '' : '\n';
    } finally {
      await handle.close();
    }
  }
}

function parseLine(line: string): { ok: true; entry: unknown } | { ok: false; problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line) as unknown;
  } catch (err) {
    return { ok: false, problem: err instanceof Error ? err.message : String(err) };
  }
  if (typeof parsed !== 'object' || parsed === null || !('v' in parsed) || !('entry' in parsed)) {
    return { ok: false, problem: 'not a {"v":..,"entry":..} record' };
  }
  if (parsed.v !== HISTORY_LINE_VERSION) return { ok: false, problem: `unknown line version ${JSON.stringify(parsed.v)}` };
  return { ok: true, entry: parsed.entry };
}

function readField<K extends 'string' | 'number'>(entry: unknown, field: string, type: K): (K extends 'string' ? string : number) | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const value: unknown = (entry as Record<string, unknown>)[field];
  return typeof value === type ? (value as K extends 'string' ? string : number) : undefined;
}
