#!/usr/bin/env node
// `npm run test:install-scripts`: fails loudly when dependency install scripts are no longer kept in check.
//
// onnxruntime-node's postinstall downloads CUDA and TensorRT providers (hundreds of MB) from api.nuget.org,
// which is unreachable here, and the CPU binaries the service uses are already in its npm package. npm's
// supported way to skip one dependency's script is `allowScripts` in package.json: npm 11.16 and later
// skip a package denied there, npm 12 runs none that is not allowed. npm 10 (the npm bundled with Node 20
// and 22) ignores the field and runs every script; only the package's own ONNXRUNTIME_NODE_INSTALL=skip
// stops it there (docs/testing/runs.md, "Dependency install scripts"). This check fails when
// - package.json no longer denies onnxruntime-node's script,
// - a locked package has an install script that allowScripts does not decide (npm 11 would run it with a
//   warning, npm 12 would silently skip it: neither should happen unreviewed),
// - the providers the postinstall downloads are in node_modules (the skip was ignored on a machine that
//   could reach nuget; offline, `npm ci` itself fails at that script),
// - a docker/Dockerfile stage runs `npm ci` with scripts and without ONNXRUNTIME_NODE_INSTALL=skip (a base
//   image with npm 10 would ignore allowScripts).
//
// Usage: node scripts/check-install-scripts.mjs [REPO_ROOT]
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url));
// What onnxruntime-node's script/install-metadata.js fetches for linux/x64 (cuda12).
const DOWNLOADED = [
  'libonnxruntime_providers_cuda.so',
  'libonnxruntime_providers_shared.so',
  'libonnxruntime_providers_tensorrt.so',
];
// The first npm that honours a `false` entry in allowScripts.
const ALLOW_SCRIPTS_SINCE = [11, 16];

/** @param {string} path */
function readJson(path) {
  return JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
}

/**
 * Whether an allowScripts key ("pkg", "pkg@1.2.3", "pkg@1.2.3 || 1.2.4") covers name@version.
 * @param {string} key @param {string} name @param {string} version
 */
function covers(key, name, version) {
  if (key === name) return true;
  if (!key.startsWith(`${name}@`)) return false;
  const spec = key.slice(name.length + 1);
  return spec === '*' || spec.split('||').some((v) => v.trim() === version);
}

/** @param {Record<string, boolean>} allow @returns {string[]} problems */
function checkLockedScripts(allow) {
  const problems = [];
  const lock = readJson('package-lock.json');
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (path === '' || entry.hasInstallScript !== true) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (!Object.keys(allow).some((key) => covers(key, name, entry.version))) {
      problems.push(
        `${name}@${entry.version} has an install script that package.json "allowScripts" does not decide: review it, then add "${name}": false (or true)`,
      );
    }
  }
  return problems;
}

/** @returns {string[]} problems */
function checkNoDownloadedProviders() {
  const bin = join(ROOT, 'node_modules', 'onnxruntime-node', 'bin');
  if (!existsSync(bin)) return [];
  const found = readdirSync(bin, { recursive: true, encoding: 'utf8' }).filter((file) =>
    DOWNLOADED.some((name) => file.endsWith(name)),
  );
  return found.map(
    (file) =>
      `node_modules/onnxruntime-node/bin/${file} was downloaded: onnxruntime-node's postinstall ran, the skip was ignored (npm 10 without ONNXRUNTIME_NODE_INSTALL=skip?)`,
  );
}

/** @returns {string[]} problems */
function checkDockerfile() {
  const problems = [];
  // Stages are the text between FROM lines; the ENV must be in the stage that runs the install.
  const stages = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8')
    .split(/^FROM /m)
    .slice(1);
  for (const stage of stages) {
    const name = stage.split('\n', 1)[0];
    const runsScripts = /npm ci(?![^\n]*--ignore-scripts)/.test(stage);
    if (runsScripts && !/^ENV ONNXRUNTIME_NODE_INSTALL=skip$/m.test(stage)) {
      problems.push(
        `docker/Dockerfile stage "FROM ${name}" runs npm ci with install scripts but does not set ENV ONNXRUNTIME_NODE_INSTALL=skip`,
      );
    }
  }
  return problems;
}

/** A note, not a failure: the providers check above is what catches an npm 10 install that went wrong. */
function noteOldNpm() {
  const match = /npm\/(\d+)\.(\d+)\.\d+/.exec(process.env['npm_config_user_agent'] ?? '');
  if (!match) return;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major > ALLOW_SCRIPTS_SINCE[0] || (major === ALLOW_SCRIPTS_SINCE[0] && minor >= ALLOW_SCRIPTS_SINCE[1]))
    return;
  console.warn(
    `check-install-scripts: npm ${match[1]}.${match[2]} ignores "allowScripts"; \`npm ci\` skips onnxruntime-node's download only with ONNXRUNTIME_NODE_INSTALL=skip set (ONNXRUNTIME_NODE_INSTALL is ${process.env['ONNXRUNTIME_NODE_INSTALL'] ?? 'unset'} here)`,
  );
}

function main() {
  const allow = readJson('package.json').allowScripts ?? {};
  const problems = [];
  if (allow['onnxruntime-node'] !== false) {
    problems.push(
      'package.json "allowScripts" must have "onnxruntime-node": false (its postinstall downloads CUDA from nuget)',
    );
  }
  problems.push(...checkLockedScripts(allow), ...checkNoDownloadedProviders(), ...checkDockerfile());
  noteOldNpm();
  if (problems.length > 0) {
    for (const problem of problems) console.error(`check-install-scripts: ${problem}`);
    process.exit(1);
  }
  console.log(
    `check-install-scripts: ok (${Object.keys(allow).length} allowScripts decisions, onnxruntime-node denied, no downloaded providers)`,
  );
}

main();
