import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

// The few filesystem moves that make the journal crash-safe. rename(2) within one directory is atomic on
// POSIX filesystems, so readers see the old file or the new one, never a mix; the fsyncs make that
// durable across a power cut (file data before the rename, the directory entry after it).

/** Flushes a directory's entries (a rename or a newly created file) to disk. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `content` to `path` atomically: temp file in the same directory, fsync, rename, fsync dir. */
export async function writeFileAtomic(path: string, content: string, tempPath: string): Promise<void> {
  const handle = await open(tempPath, 'w', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(tempPath).catch(() => undefined);
    throw err;
  }
  await handle.close();
  try {
    await rename(tempPath, path);
  } catch (err) {
    await unlink(tempPath).catch(() => undefined);
    throw err;
  }
  await fsyncDirectory(dirname(path));
}

export function isErrnoCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === code;
}

/** Runs async jobs one at a time, in call order; a failed job does not block the next. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
