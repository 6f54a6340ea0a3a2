// The bench:scale worker (scale-worker.ts) and every .ts file it imports, type-stripped into a temp dir
// that sees the checkout's node_modules: built by bench:scale for this checkout, and by
// tools/scale-ab.ts for each of the two checkouts it compares.
import { readFileSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { transpileForChild } from '../../helpers/transpile-for-child.js';

/** The worker's path inside a checkout. */
export const SCALE_WORKER = 'test/bench/lib/scale-worker.ts';
const THIS_CHECKOUT = resolve(import.meta.dirname, '..', '..', '..');

/** `entry` and every .ts file it imports, transitively, by relative path (so the worker never misses one). */
function importClosure(root: string, entry: string): string[] {
  const found = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (found.has(file)) continue;
    found.add(file);
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)\.js'/g)) {
      pending.push(relative(root, join(root, dirname(file), `${match[1] ?? ''}.ts`)));
    }
  }
  return [...found];
}

/** Returns the temp dir; the worker is `<dir>/test/bench/lib/scale-worker.js`. */
export async function buildScaleWorker(root = THIS_CHECKOUT): Promise<string> {
  const out = await transpileForChild(importClosure(root, SCALE_WORKER), root);
  await symlink(join(root, 'node_modules'), join(out, 'node_modules'));
  // The policy loader reads its JSON schema, found from the package root (transpileForChild names it).
  await symlink(join(root, 'policies'), join(out, 'policies'));
  return out;
}
