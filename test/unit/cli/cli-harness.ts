// Runs the real CLI entry (bin/guardrail.js -> dist/controller/cli/main.js) as a child process against a
// real listening buildApi server. The CLI's module graph is transpiled (types stripped, nothing else)
// into a temp copy of the bin/ + dist/ layout: a full `tsc -p tsconfig.build.json` takes ~50 s on this
// 2-core machine and would race with other builds of the shared dist/.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const REPO = resolve(import.meta.dirname, '..', '..', '..');

export interface CliBundle {
  readonly dir: string;
  readonly bin: string;
  remove(): Promise<void>;
}

/** Follows relative imports from controller/cli/main.ts and transpiles each file into <dir>/dist/. */
export async function buildCliBundle(): Promise<CliBundle> {
  const dir = await mkdtemp(join(tmpdir(), 'guardrail-cli-'));
  // Named like the repository's package (code that looks for its package root checks the name), with the
  // files modules read at load time (the policy JSON schema) linked in.
  await writeFile(join(dir, 'package.json'), '{"name":"guardrail","type":"module"}\n');
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await symlink(join(REPO, 'policies'), join(dir, 'policies'), 'dir');
  await mkdir(join(dir, 'bin'));
  await copyFile(join(REPO, 'bin', 'guardrail.js'), join(dir, 'bin', 'guardrail.js'));
  const pending = [join(REPO, 'controller', 'cli', 'main.ts')];
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (done.has(file)) continue;
    done.add(file);
    const source = await readFile(file, 'utf8');
    const out = join(dir, 'dist', relative(REPO, file));
    await mkdir(dirname(out), { recursive: true });
    if (file.endsWith('.json')) {
      await writeFile(out, source);
      continue;
    }
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    await writeFile(out.replace(/\.ts$/, '.js'), outputText);
    for (const m of outputText.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const spec = m[1] as string;
      const target = resolve(dirname(file), spec);
      pending.push(target.endsWith('.js') ? target.replace(/\.js$/, '.ts') : target);
    }
  }
  return { dir, bin: join(dir, 'bin', 'guardrail.js'), remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node bin/guardrail.js ...args` with only the GUARDRAIL_* variables given (none inherited). */
export function runCli(bundle: CliBundle, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GUARDRAIL_')));
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [bundle.bin, ...args], { env: { ...base, ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolvePromise({ code, stdout, stderr });
    });
  });
}
