// Keeps in NODE_MODULES only what the given root packages need (their dependencies, optional and installed
// peer dependencies, transitively, resolved the way Node resolves them) and deletes every other package.
// The service image uses it so the controller's packages (dockerode, ssh2, grpc, ...) are not shipped
// where they are never loaded. Prints what it kept and removed.
//
// Usage: node prune-deps.mjs NODE_MODULES ROOT_PACKAGE...
// test/unit/stack/image-deps.test.ts checks that the roots in docker/Dockerfile cover every package the
// service's sources import.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

const [modulesArg, ...roots] = process.argv.slice(2);
if (modulesArg === undefined || roots.length === 0) {
  process.stderr.write('usage: prune-deps.mjs NODE_MODULES ROOT_PACKAGE...\n');
  process.exit(2);
}
const top = resolve(modulesArg);

/** The directory Node would load `name` from when required by code in `fromDir`, or undefined. */
function locate(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === dirname(top) || dir === dirname(dir)) return undefined;
  }
}

const keep = new Set();
const queue = [];
for (const name of roots) {
  const dir = locate(name, dirname(top));
  if (dir === undefined) {
    process.stderr.write(`prune-deps: root package ${name} is not installed in ${top}\n`);
    process.exit(1);
  }
  queue.push(dir);
}
while (queue.length > 0) {
  const dir = queue.pop();
  if (keep.has(dir)) continue;
  keep.add(dir);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const wanted = { ...manifest.peerDependencies, ...manifest.optionalDependencies, ...manifest.dependencies };
  for (const name of Object.keys(wanted)) {
    const found = locate(name, dir);
    // A missing optional or peer dependency is normal; a missing regular one was missing before too.
    if (found !== undefined) queue.push(found);
  }
}

/** Top-level package directories: `name` and `@scope/name`. */
function topLevelPackages() {
  const out = [];
  for (const entry of readdirSync(top)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) for (const sub of readdirSync(join(top, entry))) out.push(join(top, entry, sub));
    else out.push(join(top, entry));
  }
  return out;
}

let removed = 0;
for (const dir of topLevelPackages()) {
  // Kept if it, or a package nested inside it, is needed (a nested one needs its parent's folder).
  const needed = [...keep].some((k) => k === dir || k.startsWith(dir + sep));
  if (!needed) {
    rmSync(dir, { recursive: true, force: true });
    removed += 1;
  }
}
for (const entry of readdirSync(top)) {
  if (entry.startsWith('@') && readdirSync(join(top, entry)).length === 0) rmSync(join(top, entry), { recursive: true });
}
// npm's bin links and lock copy point at packages that may be gone.
rmSync(join(top, '.bin'), { recursive: true, force: true });
rmSync(join(top, '.package-lock.json'), { force: true });
process.stdout.write(`prune-deps: kept ${keep.size} packages needed by ${roots.join(', ')}; removed ${removed} top-level packages\n`);
