// Every shipped scenario (policies/tests/*.yaml) through the same code `guardrail policy test` uses.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenarioFile } from '../../../controller/cli/policy-scenario-run.js';

const DIR = 'policies/tests';
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

describe('policy scenarios', () => {
  it('ships scenarios', () => {
    expect(files.length).toBeGreaterThan(0);
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
