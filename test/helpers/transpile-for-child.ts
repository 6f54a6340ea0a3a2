import { mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

// Child processes (e.g. a save loop that a test SIGKILLs) cannot import .ts files on Node 20. This
// transpiles the named source files, type-stripped and unchanged otherwise, into a temp dir with the same
// layout, so the child runs exactly the code under test without a full `tsc` build of the repository.

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * Returns the temp dir; `<dir>/<same relative path>.js` is the module for each `.ts` given. `root` is the
 * checkout the paths are relative to (another one when a bench compares two versions).
 */
export async function transpileForChild(relativePaths: readonly string[], root = REPO_ROOT): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'guardrail-transpiled-'));
  // Named like the repository's, so findPackageRoot (service/package-root.ts) stops here.
  await writeFile(join(outDir, 'package.json'), '{"name":"guardrail","type":"module"}\n');
  for (const relativePath of relativePaths) {
    const source = await readFile(join(root, relativePath), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: relativePath,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    const outPath = join(outDir, relativePath.replace(/\.ts$/, '.js'));
    await mkdir(dirname(outPath), { recursive: true });
    await writeFile(outPath, outputText);
  }
  return outDir;
}

async function tsFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await tsFilesUnder(path)));
    else if (entry.name.endsWith('.ts')) out.push(relative(REPO_ROOT, path));
  }
  return out;
}

/**
 * A controller for a child process: every controller source plus `entries`, transpiled, with the
 * repository's packages and policy schema linked in (the loader finds the schema from the package root).
 * Returns the temp dir, as transpileForChild does.
 */
export async function transpileControllerChild(entries: readonly string[]): Promise<string> {
  const dir = await transpileForChild([...(await tsFilesUnder(join(REPO_ROOT, 'controller'))), 'service/package-root.ts', ...entries]);
  await symlink(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  await symlink(join(REPO_ROOT, 'policies'), join(dir, 'policies'));
  return dir;
}
