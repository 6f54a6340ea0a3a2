import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';

// Watches the policy files for edits and calls `reload` once things settle (editors write a file in
// several steps: temp file, rename, chmod). Watching the directory, not the files, survives renames.

export async function watchPolicies(paths: readonly string[], reload: () => void, debounceMs = 300): Promise<() => void> {
  const dirs = new Set<string>();
  for (const path of paths) {
    try {
      dirs.add((await stat(path)).isDirectory() ? path : dirname(path));
    } catch {
      dirs.add(dirname(path));
    }
  }
  let timer: NodeJS.Timeout | undefined;
  const changed = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      reload();
    }, debounceMs);
  };
  const watchers: FSWatcher[] = [];
  for (const dir of dirs) {
    try {
      const watcher = watch(dir, { persistent: false }, changed);
      watcher.on('error', () => undefined);
      watchers.push(watcher);
    } catch {
      // A missing directory is reported by the loader; SIGHUP still reloads.
    }
  }
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
