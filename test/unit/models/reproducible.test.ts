// The committed artifacts must be exactly what `npm run models:train` produces from the committed training
// code: retraining into a temp folder gives byte-identical files. This catches a features.py or train.py
// edit committed without retraining, and any loss of determinism (seeds, thread count, timestamps).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from './artifacts.js';

const TRAIN = fileURLToPath(new URL('../../../models/training/train.py', import.meta.url));
// Debian's python has xgboost/onnx; the pyenv shim first on PATH does not (scripts/ensure-test-prereqs.sh).
const PYTHON = '/usr/bin/python3';
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('training is reproducible', () => {
  it('retraining gives byte-identical artifacts', { timeout: 300_000 }, async () => {
    const out = await mkdtemp(join(tmpdir(), 'guardrail-models-'));
    dirs.push(out);
    await promisify(execFile)(PYTHON, [TRAIN, '--out', out], { timeout: 290_000 });
    for (const name of ['model.onnx', 'model-card.json', 'baseline.json', 'parity.json']) {
      const [fresh, committed] = await Promise.all([readFile(join(out, name)), readFile(join(ARTIFACTS, name))]);
      expect({ name, identical: fresh.equals(committed) }).toEqual({ name, identical: true });
    }
  });
});
