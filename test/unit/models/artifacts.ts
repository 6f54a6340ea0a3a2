// Typed readers for the committed model artifacts the tests replay. The files are produced by
// models/training/train.py; these readers check shape, so a malformed artifact fails loudly here.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RawFeatures } from '../../../service/contract.js';

export const ARTIFACTS = fileURLToPath(new URL('../../../models/artifacts/', import.meta.url));
export const MODEL_PATH = `${ARTIFACTS}model.onnx`;

export interface ParityRow {
  readonly case: string;
  readonly raw: RawFeatures;
  /** float32 values as JSON numbers; null = NaN (missing). */
  readonly features: readonly (number | null)[];
  readonly xgb_probability: number;
}

export interface ParityFixture {
  readonly feature_names: readonly string[];
  readonly model_version: string;
  readonly rows: readonly ParityRow[];
}

export function readJson(name: string): unknown {
  return JSON.parse(readFileSync(`${ARTIFACTS}${name}`, 'utf8'));
}

export function readParity(): ParityFixture {
  const parsed = readJson('parity.json') as ParityFixture;
  if (!Array.isArray(parsed.rows) || !Array.isArray(parsed.feature_names)) {
    throw new Error('parity.json: expected rows and feature_names arrays');
  }
  return parsed;
}

/** The fixture's vector as float32, null -> NaN. */
export function expectedVector(row: ParityRow): Float32Array {
  return Float32Array.from(row.features, (x) => (x === null ? Number.NaN : x));
}
