// Every shipped per-condition scenario (policies/tests/*.yaml) through the same code `guardrail policy test`
// uses. Files with raw series (input_series) need a real Prometheus: test/integration/policies/ runs them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../controller/cli/policy-scenario-format.js';
import { runScenarioFile } from '../../../controller/cli/policy-scenario-run.js';

const DIR = 'policies/tests';
const isRaw = (file: string): boolean => parseScenario(readFileSync(join(DIR, file), 'utf8'), file).tests.some((t) => t.inputSeries !== undefined);
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .filter((f) => !isRaw(f));

describe('policy scenarios (one value per condition)', () => {
  it('ships scenarios', () => {
    expect(files.length).toBeGreaterThan(10);
  });
  for (const file of files) {
    it(file, async () => {
      const results = await runScenarioFile(join(DIR, file));
      const failures = results.filter((r) => r.failures.length > 0).map((r) => `${r.name}\n${r.failures.join('\n')}`);
      expect(failures.join('\n\n')).toBe('');
      expect(results.length).toBeGreaterThan(0);
    });
  }
});
