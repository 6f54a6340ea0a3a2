// The prediction service as issue #17 measured it, built from this repository's history beside the current
// one, so "ML max throughput ≥ 1.5× before" is judged in ONE run on one machine: a figure from another day
// says little on this VM, whose throughput moves by ±30% from one boot to the next.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from '../../helpers/node-child.js';

/**
 * The last commit before issue #17's service changes (6b5d0ba: the native session, micro-batching): the
 * code whose ML served 13,410 rps at max throughput in the issue's run. Its model is the one served today.
 */
export const BEFORE_ISSUE_17 = 'f213eb6c71c13cd0c5b2d5f4a7d4ff16881a6afc';

const run = promisify(execFile);

/**
 * Extracts that commit into a temp folder (kept between runs) and compiles it with this checkout's
 * TypeScript and node_modules (its service's dependencies are the same versions). Returns its
 * dist/service/main.js, or throws naming what is missing (a shallow clone lacks the commit).
 */
export async function buildBeforeService(): Promise<string> {
  const root = join(tmpdir(), `guardrail-bench-before-${BEFORE_ISSUE_17.slice(0, 12)}`);
  const mainJs = join(root, 'dist', 'service', 'main.js');
  if (existsSync(mainJs)) return mainJs;
  try {
    await run('git', ['-C', PACKAGE_ROOT, 'cat-file', '-e', `${BEFORE_ISSUE_17}^{commit}`]);
  } catch {
    throw new Error(`commit ${BEFORE_ISSUE_17} is not in this clone (a shallow clone?): fetch the full history to compare with it`);
  }
  // Built aside and renamed when complete, so an interrupted build is never taken for a finished one.
  const partial = `${root}.partial`;
  await rm(partial, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  // git archive | tar: the tree alone, no worktree to register or prune.
  await run('sh', ['-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', 'sh', PACKAGE_ROOT, BEFORE_ISSUE_17, partial]);
  await symlink(join(PACKAGE_ROOT, 'node_modules'), join(partial, 'node_modules'), 'dir');
  await run(process.execPath, [join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(partial, 'tsconfig.build.json')], { cwd: partial });
  await rename(partial, root);
  if (!existsSync(mainJs)) throw new Error(`compiling ${BEFORE_ISSUE_17} gave no ${mainJs}`);
  return mainJs;
}
