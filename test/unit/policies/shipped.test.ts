import { describe, expect, it } from 'vitest';
import { formatPolicyError } from '../../../controller/ports/policy-source.js';
import { loadPolicies } from '../../../controller/adapters/policy/loader.js';

describe('shipped policies', () => {
  for (const path of ['policies', 'policies/examples/burn-rate.yaml', 'policies/examples/demo.yaml', 'policies/examples/warm-standby.yaml']) {
    it(`${path} loads cleanly`, async () => {
      const result = await loadPolicies(path);
      expect(result.ok ? [] : result.errors.map(formatPolicyError)).toEqual([]);
    });
  }
});
