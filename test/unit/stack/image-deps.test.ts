// The service image keeps only the npm packages docker/Dockerfile names for it (docker/prune-deps.mjs).
// If service/ starts importing another package and the list is not updated, the image would crash at
// start with ERR_MODULE_NOT_FOUND; this test fails first.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRepoFile, REPO } from './stack-files.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Package names of the bare specifiers in static imports, re-exports and dynamic imports. */
function importedPackages(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)].map((m) => m[1] ?? '');
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:'))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] ?? s)));
}

const pruneLine = /prune-deps\.mjs node_modules ([^&\n]+)&&/.exec(readRepoFile('docker/Dockerfile'))?.[1] ?? '';
const roots = pruneLine.trim().split(/\s+/);

describe('service image dependencies (docker/Dockerfile service-deps)', () => {
  it('names every package service/ imports, type-only imports aside', () => {
    expect(roots.length).toBeGreaterThan(3);
    const imported = new Set<string>();
    for (const file of sourceFiles('service')) {
      const source = readFileSync(join(REPO, file), 'utf8')
        .split('\n')
        .filter((line) => !/^\s*import\s+type\b/.test(line) && !/^\s*export\s+type\b/.test(line))
        .join('\n');
      for (const name of importedPackages(source)) imported.add(name);
    }
    expect([...imported].sort()).toEqual(expect.arrayContaining(['fastify', 'onnxruntime-node', 'pino', 'prom-client']));
    for (const name of imported) expect(roots, `service/ imports ${name}`).toContain(name);
  });

  it('names only runtime dependencies of package.json', () => {
    const manifest = JSON.parse(readRepoFile('package.json')) as { dependencies: Record<string, string> };
    for (const name of roots) expect(Object.keys(manifest.dependencies), name).toContain(name);
  });
});
