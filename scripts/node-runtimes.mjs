#!/usr/bin/env node
// Fetches the Node runtimes pinned in scripts/node-runtimes.json from the npm registry, the one registry
// this project's machines can reach (nodejs.org is not): `node-<platform>-<arch>` packages repackage the
// official release binaries (bin/node only, no npm), and `npm` is the npm package itself. Each tarball is
// checked against its pinned integrity, like package-lock.json does for dependencies, and unpacked once
// into a cache outside the checkout, so `rm -rf node_modules` or a fresh clone does not fetch them again.
//
// Usage: node scripts/node-runtimes.mjs node MAJOR     prints the path of that Node's binary
//        node scripts/node-runtimes.mjs npm MAJOR      prints the directory of the npm that Node bundles
//        node scripts/node-runtimes.mjs list           prints the pinned majors, one a line
//        node scripts/node-runtimes.mjs pin            rewrites the integrity list from the registry
// Cache: $GUARDRAIL_NODE_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/guardrail/node.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PINS_FILE = fileURLToPath(new URL('./node-runtimes.json', import.meta.url));
// The platform CI and the images run on; its tarballs must match a pinned integrity.
const PINNED_PLATFORM = 'linux-x64';

export function readPins() {
  return JSON.parse(readFileSync(PINS_FILE, 'utf8'));
}

/** @param {string} major */
function runtimeOf(major) {
  const runtime = readPins().runtimes[major];
  if (!runtime) throw new Error(`node-runtimes: no pinned Node ${major} in ${PINS_FILE}`);
  return runtime;
}

function platform() {
  return `${process.platform}-${process.arch}`;
}

function cacheDir() {
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return process.env['GUARDRAIL_NODE_CACHE'] || join(base, 'guardrail', 'node');
}

/**
 * Unpacks `spec` (name@exact-version) into the cache once and returns its `package/` directory.
 * @param {string} spec
 */
function fetchPackage(spec) {
  const final = join(cacheDir(), spec.replace('/', '+'));
  if (existsSync(join(final, 'package', 'package.json'))) return join(final, 'package');
  mkdirSync(cacheDir(), { recursive: true });
  // A temp dir renamed into place: two runs fetching at once never see a half-unpacked runtime.
  const tmp = mkdtempSync(join(cacheDir(), '.fetch-'));
  try {
    // `npm pack` fetches through npm's own cache and checks the registry's integrity on the way.
    const out = execFileSync('npm', ['pack', spec, '--json', '--pack-destination', tmp], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [{ filename }] = JSON.parse(out);
    const tarball = join(tmp, filename);
    checkIntegrity(spec, readFileSync(tarball));
    execFileSync('tar', ['-xzf', tarball, '-C', tmp]);
    rmSync(tarball);
    try {
      renameSync(tmp, final);
    } catch (error) {
      // Another run won the race; its copy is the same bytes.
      if (!existsSync(join(final, 'package', 'package.json'))) throw error;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return join(final, 'package');
}

/**
 * @param {string} spec
 * @param {Buffer} bytes
 */
function checkIntegrity(spec, bytes) {
  const actual = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
  const pinned = readPins().integrity[spec];
  if (pinned === undefined) {
    if (spec.startsWith('node-') && platform() === PINNED_PLATFORM) {
      throw new Error(
        `node-runtimes: ${spec} has no pinned integrity; run \`node scripts/node-runtimes.mjs pin\``,
      );
    }
    // Other platforms are not pinned (no CI runs there): npm's check against the registry is all there is.
    return;
  }
  if (actual !== pinned) throw new Error(`node-runtimes: ${spec} is ${actual}, pinned ${pinned}`);
}

/** @param {string} major @returns {string} the `node` binary of the pinned release */
export function nodeBinary(major) {
  const spec = `node-${platform()}@${runtimeOf(major).version}`;
  return join(fetchPackage(spec), 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
}

/** @param {string} major @returns {string} the npm package directory (bin/npm-cli.js inside) */
export function npmDir(major) {
  return fetchPackage(`npm@${runtimeOf(major).npm}`);
}

/** Rewrites the integrity list from the registry for every pinned release (run after a version bump). */
function pin() {
  const pins = readPins();
  const specs = Object.values(pins.runtimes).flatMap(({ version, npm }) => [
    `node-${PINNED_PLATFORM}@${version}`,
    `npm@${npm}`,
  ]);
  /** @type {Record<string, string>} */
  const integrity = {};
  for (const spec of specs.sort()) {
    integrity[spec] = execFileSync('npm', ['view', spec, 'dist.integrity'], { encoding: 'utf8' }).trim();
    if (!integrity[spec].startsWith('sha512-')) throw new Error(`node-runtimes: no integrity for ${spec}`);
  }
  writeFileSync(PINS_FILE, `${JSON.stringify({ ...pins, integrity }, null, 2)}\n`);
  console.log(`node-runtimes: pinned ${specs.length} tarballs in ${PINS_FILE}`);
}

function main() {
  const [command, major] = process.argv.slice(2);
  if (command === 'node' && major) console.log(nodeBinary(major));
  else if (command === 'npm' && major) console.log(npmDir(major));
  else if (command === 'list') console.log(Object.keys(readPins().runtimes).join('\n'));
  else if (command === 'pin') pin();
  else {
    console.error('usage: node scripts/node-runtimes.mjs node|npm MAJOR | list | pin');
    process.exit(2);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
