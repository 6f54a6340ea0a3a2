// target.warmStandby: keep a running container of the rollback value beside the current one (docs/policies.md,
// docs/actuators/docker-strategies.md "Warm standby"). Off unless set; only with start-first, refused with its position and the
// reason otherwise; `true` carries it to every actuator service with the rollback value as the standby's value,
// a list to the named services only (the shipped policy: the api, not the stream consumer).
import { servicesOf } from '../../../controller/core/index.js';
import { describe, expect, it } from 'vitest';
import { formatPolicyError } from '../../../controller/ports/policy-source.js';
import { parsePolicyText } from '../../../controller/adapters/policy/loader.js';
import { policyWith } from './loader-fixture.js';

describe('target.warmStandby', () => {
  it('is absent unless set, and then the actuator services carry no standby', () => {
    const result = parsePolicyText(policyWith({ 7: '  strategy: start-first' }), 'p.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect('warmStandby' in result.loaded.policy.target).toBe(false);
    expect(servicesOf(result.loaded.policy.target).map((t) => 'warmStandby' in t)).toEqual([false]);
  });

  it('with start-first: each actuator service stands by with the rollback value', () => {
    const result = parsePolicyText(policyWith({ 7: '  strategy: start-first\n  warmStandby: true' }), 'p.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const target = result.loaded.policy.target;
    expect(target).toMatchObject({ strategy: 'start-first', warmStandby: true });
    expect(servicesOf(target).map((t) => t.warmStandby)).toEqual([{ value: target.rollbackValue }]);
  });

  it('false is the same as absent', () => {
    const result = parsePolicyText(policyWith({ 7: '  strategy: start-first\n  warmStandby: false' }), 'p.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect('warmStandby' in result.loaded.policy.target).toBe(false);
  });

  it('refuses it under recreate, at its position, saying why', () => {
    const result = parsePolicyText(policyWith({ 7: '  strategy: recreate\n  warmStandby: true' }), 'p.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(formatPolicyError)).toEqual([
      'p.yaml:8:16 warmStandby needs strategy start-first: under recreate the standby could not take over the old container\'s published ports while it runs',
    ]);
  });

  it('refuses a value that is not a boolean', () => {
    const result = parsePolicyText(policyWith({ 7: '  strategy: start-first\n  warmStandby: yes please' }), 'p.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const messages = result.errors.map(formatPolicyError);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^p\.yaml:8:16 .*warmStandby.*boolean/);
  });

  it('a list keeps a standby for the named services only, in any order of the target', () => {
    const result = parsePolicyText(
      policyWith({ 4: '  compose: { project: p, services: [api, prediction-consumer] }', 7: '  strategy: start-first\n  warmStandby: [api]' }),
      'p.yaml',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const target = result.loaded.policy.target;
    expect(target.warmStandby).toEqual(['api']);
    expect(servicesOf(target).map((t) => [t.name, t.warmStandby])).toEqual([
      ['t/api', { value: 'baseline' }],
      ['t/prediction-consumer', undefined],
    ]);
  });

  it('a list names containers of a containers target too', () => {
    const result = parsePolicyText(policyWith({ 4: '  containers: [a, b]', 7: '  strategy: start-first\n  warmStandby: [b]' }), 'p.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(servicesOf(result.loaded.policy.target).map((t) => [t.name, 'warmStandby' in t])).toEqual([
      ['t/a', false],
      ['t/b', true],
    ]);
  });

  it('refuses a list naming a service the target does not switch, one listed twice, and an empty list, each at its place', () => {
    const unknown = parsePolicyText(policyWith({ 4: '  containers: [api, worker]', 7: '  strategy: start-first\n  warmStandby: [api, apl, api]' }), 'p.yaml');
    expect(unknown.ok).toBe(false);
    if (unknown.ok) return;
    expect(unknown.errors.map(formatPolicyError)).toEqual([
      'p.yaml:8:22 warmStandby: "apl" is not one of the target\'s services (api, worker)',
      'p.yaml:8:27 warmStandby: "api" is listed twice',
    ]);
    const empty = parsePolicyText(policyWith({ 7: '  strategy: start-first\n  warmStandby: []' }), 'p.yaml');
    expect(empty.ok).toBe(false);
    if (empty.ok) return;
    expect(empty.errors.map(formatPolicyError)).toEqual(['p.yaml:8:16 warmStandby: an empty list; write false for no standby, or name the services to keep one for']);
  });

  it('refuses a list under recreate as it refuses true', () => {
    const result = parsePolicyText(policyWith({ 7: '  strategy: recreate\n  warmStandby: [api]' }), 'p.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(formatPolicyError)[0]).toMatch(/^p\.yaml:8:16 warmStandby needs strategy start-first/);
  });
});
