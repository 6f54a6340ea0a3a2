// Loads policies/*.yaml: YAML (with positions) → JSON Schema (ajv) → semantic checks → Policy.
// All-or-nothing: a set with any error is rejected whole, with every error as `file:line:col message`.
// PolicyRegistry keeps the last good set when a reload fails (like Prometheus's rule reload).

import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { Policy } from '../../core/policy.js';
import type { PolicyError, PolicyLoadResult } from '../../ports/policy-source.js';
import { byPosition } from './errors.js';
import { locatorFor, type Locator } from './locator.js';
import { normalizePolicy } from './normalize.js';
import { positionOf } from './positions.js';
import type { RawPolicy } from './raw.js';
import { schemaErrors } from './schema-check.js';

export interface LoadedPolicy {
  readonly file: string;
  readonly policy: Policy;
  /** Where crossCheck points its errors. Kept instead of the parsed document, which is large: holding
   * every file's document until the whole set was checked made loading 1000 policies peak at ~60 MiB more
   * heap (and RSS) than the policies themselves need. */
  readonly at: { readonly name: Position; readonly target: Position };
}

type Position = ReturnType<Locator['at']>;

export type ParseResult = { readonly ok: true; readonly loaded: LoadedPolicy } | { readonly ok: false; readonly errors: readonly PolicyError[] };

/** Parses and checks one policy file's text. */
export function parsePolicyText(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, message: string): PolicyError => ({ file, ...positionOf(lineCounter, offset), message });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    // Only the first: a syntax error's followers are mostly its echo.
    return { ok: false, errors: [at(yamlError.pos[0], `YAML: ${yamlError.message.split('\n')[0] ?? yamlError.code}`)] };
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, errors: [at(0, 'a policy file must be a YAML mapping (name:, target:, ...)')] };
  }
  const locate = locatorFor(doc, lineCounter, text);
  const fromSchema = schemaErrors(doc, data, lineCounter);
  if (fromSchema.length > 0) return { ok: false, errors: fromSchema.map((e) => ({ file, ...e })) };
  // The schema guarantees this shape from here on.
  const { policy, errors } = normalizePolicy(data as RawPolicy, locate);
  if (policy === undefined) return { ok: false, errors: errors.map((e) => ({ file, ...e })) };
  return { ok: true, loaded: { file, policy, at: { name: locate.at(['name']), target: locate.at(['target']) } } };
}

function claims(policy: Policy): string[] {
  const t = policy.target;
  const services = t.compose?.services.map((s) => `compose service ${t.compose?.project ?? ''}/${s}`) ?? [];
  const containers = t.containers?.map((c) => `container ${c}`) ?? [];
  const swarm = t.swarm?.services.map((s) => `swarm service ${t.swarm?.stack === undefined ? s : `${t.swarm.stack}_${s}`}`) ?? [];
  return [`target name ${t.name}`, ...services, ...containers, ...swarm];
}

/** Duplicate policy names and two policies claiming the same target (by name, service or container). */
export function crossCheck(loaded: readonly LoadedPolicy[]): PolicyError[] {
  const errors: PolicyError[] = [];
  const names = new Map<string, LoadedPolicy>();
  const claimed = new Map<string, LoadedPolicy>();
  for (const item of loaded) {
    const first = names.get(item.policy.name);
    if (first !== undefined) {
      errors.push({ file: item.file, ...item.at.name, message: `duplicate policy name "${item.policy.name}" (also in ${first.file})` });
    } else names.set(item.policy.name, item);
    for (const claim of claims(item.policy)) {
      const owner = claimed.get(claim);
      if (owner !== undefined && owner !== item) {
        errors.push({
          file: item.file,
          ...item.at.target,
          message: `${claim} is already claimed by policy "${owner.policy.name}" (${owner.file}): one target, one policy`,
        });
      } else claimed.set(claim, item);
    }
  }
  return errors;
}

/** Policy files named by `paths`: files as given, directories → their *.yaml / *.yml (not recursive). */
export async function policyFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      const names = (await readdir(path)).filter((n) => /\.ya?ml$/.test(n)).sort();
      files.push(...names.map((n) => join(path, n)));
    } else files.push(path);
  }
  return files;
}

/** Loads a set of policies from files and/or directories: the full valid set, or every error. */
export async function loadPolicies(paths: string | readonly string[]): Promise<PolicyLoadResult> {
  const list = typeof paths === 'string' ? [paths] : paths;
  let files: string[];
  try {
    files = await policyFiles(list);
  } catch (error) {
    return { ok: false, errors: [{ file: list.join(','), line: 1, col: 1, message: `cannot read: ${(error as Error).message}` }] };
  }
  const errors: PolicyError[] = [];
  const loaded: LoadedPolicy[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      errors.push({ file, line: 1, col: 1, message: `cannot read: ${(error as Error).message}` });
      continue;
    }
    const result = parsePolicyText(text, file);
    if (result.ok) loaded.push(result.loaded);
    else errors.push(...result.errors);
  }
  if (files.length === 0) errors.push({ file: list.join(','), line: 1, col: 1, message: 'no policy files (*.yaml) found' });
  errors.push(...crossCheck(loaded));
  if (errors.length > 0) return { ok: false, errors: errors.sort(byPosition) };
  return { ok: true, policies: loaded.map((l) => l.policy), files };
}
