// target.settle (start-first): how long the old container keeps serving beside the verified new one
// (docs/policies.md, docs/actuators.md). Absent by default (the actuator's 1.5 s); a duration reaches every
// actuator service; refused under recreate with the reason, and a bad duration with its position.
import { servicesOf } from '../../../controller/core/index.js';
import { describe, expect, it } from 'vitest';
import { formatPolicyError } from '../../../controller/ports/policy-source.js';
import { parsePolicyText } from '../../../controller/adapters/policy/loader.js';
import { policyWith } from './loader-fixture.js';

function errorsOf(text: string): string[] {
  const result = parsePolicyText(text, 'p.yaml');
  return result.ok ? [] : result.errors.map(formatPolicyError);
}

describe('target.settle', () => {
  it('is absent unless set', () => {
    const result = parsePolicyText(policyWith({ 7: '  strategy: start-first' }), 'p.yaml');
    expect(result.ok && 'settleMs' in result.loaded.policy.target).toBe(false);
  });

  it('a duration reaches every actuator service, with the stop signal', () => {
    const result = parsePolicyText(policyWith({ 7: '  strategy: start-first\n  settle: 300ms\n  stopSignal: SIGINT' }), 'p.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(servicesOf(result.loaded.policy.target).map((t) => [t.settleMs, t.stopSignal])).toEqual([[300, 'SIGINT']]);
  });

  it('0s is allowed (stop the old one as soon as the new one is verified)', () => {
    const result = parsePolicyText(policyWith({ 7: '  strategy: start-first\n  settle: 0s' }), 'p.yaml');
    expect(result.ok && result.loaded.policy.target.settleMs).toBe(0);
  });

  it('is refused under recreate, at its position, saying why', () => {
    expect(errorsOf(policyWith({ 7: '  strategy: recreate\n  settle: 1s' }))).toEqual([
      'p.yaml:8:11 settle is for strategy start-first (how long the old container keeps serving beside the verified new one); under recreate the old one is stopped first',
    ]);
  });

  it('a bad duration is refused at its position', () => {
    expect(errorsOf(policyWith({ 7: '  strategy: start-first\n  settle: soon' }))).toEqual([
      'p.yaml:8:11 target.settle: bad duration "soon" (write e.g. 30s, 5m, 1h, 1h30m)',
    ]);
  });
});
