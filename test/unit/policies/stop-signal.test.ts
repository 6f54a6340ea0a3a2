// target.stopSignal: the optional signal a recreate switch stops the old container with (docs/policies.md,
// docs/actuators.md). Absent by default; a signal name is carried to the policy's target; anything that
// is not a signal name is refused with its position.
import { describe, expect, it } from 'vitest';
import { formatPolicyError } from '../../../controller/ports/policy-source.js';
import { parsePolicyText } from '../../../controller/adapters/policy/loader.js';
import { policyWith } from './loader-fixture.js';

describe('target.stopSignal', () => {
  it('is absent unless set', () => {
    const result = parsePolicyText(policyWith(), 'p.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.loaded.policy.target.stopSignal).toBeUndefined();
    expect('stopSignal' in result.loaded.policy.target).toBe(false);
  });

  it('carries a signal name to the target', () => {
    const result = parsePolicyText(policyWith({ 7: '  strategy: recreate\n  stopSignal: SIGINT' }), 'p.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.loaded.policy.target).toMatchObject({ strategy: 'recreate', stopSignal: 'SIGINT' });
  });

  it('refuses what is not a signal name, at its position', () => {
    const result = parsePolicyText(policyWith({ 7: '  strategy: recreate\n  stopSignal: int' }), 'p.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const messages = result.errors.map(formatPolicyError);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^p\.yaml:8:15 .*stopSignal/);
  });
});
