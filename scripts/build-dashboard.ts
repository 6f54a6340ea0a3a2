// Bundles the dashboard page (dashboard/src → one ES module) with esbuild and copies its HTML and CSS,
// into dist/dashboard/ (`npm run build`) or the directory given. No CDN, no framework: what the
// controller serves at `/` is these three files.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../' : '../', import.meta.url));

export async function buildDashboard(outDir = join(REPO, 'dist/dashboard')): Promise<string> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(REPO, 'dashboard/src/main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    logLevel: 'warning',
  });
  await copyFile(join(REPO, 'dashboard/index.html'), join(outDir, 'index.html'));
  await copyFile(join(REPO, 'dashboard/app.css'), join(outDir, 'app.css'));
  return outDir;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildDashboard(process.argv[2]);
  process.stdout.write(`dashboard built in ${out}\n`);
}
