// Validates a parsed policy document against policies/policy.schema.json (ajv), and turns ajv's errors
// into specific `line:col` messages: unknown keys point at the key, wrong types at the value.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import type { Document, LineCounter } from 'yaml';
import { findPackageRoot } from '../../../service/package-root.js';
import { offsetOf, positionOf, showPath, type YamlPath } from './positions.js';

export interface LocatedMessage {
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

/** The package's own schema, whether this runs from source or from dist/ (the package root is found either way). */
function loadSchema(): object {
  const path = join(findPackageRoot(import.meta.url), 'policies', 'policy.schema.json');
  return JSON.parse(readFileSync(path, 'utf8')) as object;
}

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
const validate = ajv.compile(loadSchema());

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^[0-9]+$/.test(part) ? Number(part) : part));
}

function where(path: YamlPath): string {
  return path.length === 0 ? 'policy' : showPath(path);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function allowedKeys(error: ErrorObject): string {
  const props = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props === undefined ? '' : ` (allowed: ${Object.keys(props).join(', ')})`;
}

function messageOf(error: ErrorObject, path: YamlPath): { message: string; path: YamlPath; at: 'key' | 'value' } {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      return { message: `unknown key "${key}" in ${where(path)}${allowedKeys(error)}`, path: [...path, key], at: 'key' };
    }
    case 'required':
      return { message: `${where(path)}: missing required key "${String(params['missingProperty'])}"`, path, at: 'value' };
    case 'type':
      return { message: `${where(path)}: expected ${String(params['type'])}, got ${typeName(error.data)}`, path, at: 'value' };
    case 'enum':
      return {
        message: `${where(path)}: ${JSON.stringify(error.data)} is not one of ${(params['allowedValues'] as unknown[]).map(String).join(', ')}`,
        path,
        at: 'value',
      };
    case 'oneOf':
      return { message: `${where(path)}: expected a number or slo.p95LatencySeconds / slo.errorRatio, got ${typeName(error.data)}`, path, at: 'value' };
    case 'pattern':
      if (String(params['pattern']).includes('ms|s|m|h|d')) {
        return { message: `${where(path)}: bad duration ${JSON.stringify(error.data)} (write e.g. 30s, 5m, 1h, 1h30m)`, path, at: 'value' };
      }
      return { message: `${where(path)}: ${JSON.stringify(error.data)} must match ${String(params['pattern'])}`, path, at: 'value' };
    default:
      return { message: `${where(path)}: ${error.message ?? error.keyword}`, path, at: 'value' };
  }
}

/** Schema errors, one per place: a failed oneOf hides the alternatives' own errors at the same path. */
export function schemaErrors(doc: Document, data: unknown, lineCounter: LineCounter): LocatedMessage[] {
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const kept = errors.filter((e) => e.keyword === 'oneOf' || !oneOfPaths.has(e.instancePath));
  const seen = new Set<string>();
  const out: LocatedMessage[] = [];
  for (const error of kept) {
    const located = messageOf(error, pathOf(error.instancePath));
    const pos = positionOf(lineCounter, offsetOf(doc, located.path, located.at));
    const key = `${pos.line}:${pos.col}:${located.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...pos, message: located.message });
  }
  return out;
}
