// target.swarm (docs/swarm.md, docs/policies.md): the services of a `docker stack deploy` stack, or one Swarm
// service by its full name, each with a selector of its own kind; target.parallelism reaches every swarm
// service. What Swarm does itself (stop signal, settle) or cannot do (a warm standby, a fixed published
// port under start-first) is refused at its position with the reason; so is a target of two kinds.
import { selectorKind, servicesOf } from '../../../controller/core/index.js';
import { describe, expect, it } from 'vitest';
import { formatPolicyError } from '../../../controller/ports/policy-source.js';
import { loadPolicies, parsePolicyText } from '../../../controller/adapters/policy/loader.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policyWith } from './loader-fixture.js';

function errorsOf(text: string): string[] {
  const result = parsePolicyText(text, 'p.yaml');
  return result.ok ? [] : result.errors.map(formatPolicyError);
}

const STACK = '  swarm: { stack: guardrail, services: [api, prediction-consumer] }';

describe('target.swarm', () => {
  it('{stack, services}: one swarm service per entry, named <target>/<service>, selecting <stack>_<service>', () => {
    const result = parsePolicyText(
      policyWith({ 4: STACK, 7: '  strategy: start-first\n  parallelism: 2' }),
      'p.yaml',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const target = result.loaded.policy.target;
    expect(target.swarm).toEqual({ stack: 'guardrail', services: ['api', 'prediction-consumer'] });
    const services = servicesOf(target);
    expect(services.map((s) => [s.name, s.selector, s.parallelism, s.strategy])).toEqual([
      ['t/api', { swarmService: 'api', swarmStack: 'guardrail' }, 2, 'start-first'],
      [
        't/prediction-consumer',
        { swarmService: 'prediction-consumer', swarmStack: 'guardrail' },
        2,
        'start-first',
      ],
    ]);
    expect(services.map((s) => selectorKind(s.selector))).toEqual(['swarm', 'swarm']);
  });

  it("a service name: one service by its full Swarm name, the target's name, parallelism absent", () => {
    const result = parsePolicyText(
      policyWith({ 4: '  swarm: guardrail_api', 7: '  strategy: start-first' }),
      'p.yaml',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [only, ...rest] = servicesOf(result.loaded.policy.target);
    expect(rest).toEqual([]);
    expect(only?.name).toBe('t');
    expect(only?.selector).toEqual({ swarmService: 'guardrail_api' });
    expect(only !== undefined && 'parallelism' in only).toBe(false);
  });

  it('compose and container targets keep the containers kind', () => {
    const result = parsePolicyText(policyWith(), 'p.yaml');
    expect(result.ok && servicesOf(result.loaded.policy.target).map((s) => selectorKind(s.selector))).toEqual(
      ['containers'],
    );
  });

  it.each([
    [
      'two kinds',
      { 4: `  containers: [api]\n${STACK}` },
      'p.yaml:3:3 target "t": give exactly one of "compose", "containers" or "swarm"',
    ],
    [
      'parallelism without swarm',
      { 7: '  strategy: recreate\n  parallelism: 2' },
      'p.yaml:8:16 parallelism is for swarm targets (update_config.parallelism); compose services and containers are switched one container at a time',
    ],
    [
      'stopSignal',
      { 4: STACK, 7: '  strategy: start-first\n  stopSignal: SIGINT' },
      "p.yaml:8:15 stopSignal is not supported for swarm targets: Swarm stops the old tasks with the service's own stop signal (stop_signal in the stack file)",
    ],
    [
      'settle',
      { 4: STACK, 7: '  strategy: start-first\n  settle: 1s' },
      'p.yaml:8:11 settle is not supported for swarm targets: Swarm stops an old task once its start-first successor runs (update_config.delay and monitor in the stack file)',
    ],
    [
      'warmStandby',
      { 4: STACK, 7: '  strategy: start-first\n  warmStandby: true' },
      'p.yaml:8:16 warmStandby is not supported for swarm targets: Swarm owns the tasks of a service and would remove a standby task it did not schedule',
    ],
    [
      'a warmStandby list',
      { 4: STACK, 7: '  strategy: start-first\n  warmStandby: [api]' },
      'p.yaml:8:16 warmStandby is not supported for swarm targets: Swarm owns the tasks of a service and would remove a standby task it did not schedule',
    ],
    [
      'via published-port',
      { 4: STACK, 7: '  strategy: start-first', 13: '    timeout: 30s\n    via: published-port' },
      "p.yaml:14:10 verify.via published-port is not supported for swarm targets: a start-first task has no fixed published port; use container-ip (a controller on the stack's network) or auto",
    ],
  ])('refuses %s at its position, saying why', (_name, replacements, message) => {
    expect(errorsOf(policyWith(replacements))).toEqual([message]);
  });

  it('refuses a parallelism below 1 and a stack without services (schema)', () => {
    expect(errorsOf(policyWith({ 4: STACK, 7: '  strategy: start-first\n  parallelism: 0' }))[0]).toMatch(
      /^p\.yaml:8:16 .*parallelism.*>= 1/,
    );
    expect(errorsOf(policyWith({ 4: '  swarm: { stack: guardrail }' }))[0]).toMatch(/^p\.yaml:4:/);
  });

  it('two policies cannot claim the same swarm service, whichever form names it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'guardrail-swarm-claims-'));
    try {
      await writeFile(join(dir, 'a.yaml'), policyWith({ 4: STACK }));
      await writeFile(
        join(dir, 'b.yaml'),
        policyWith({ 1: 'name: u', 3: '  name: u', 4: '  swarm: guardrail_api' }),
      );
      const loaded = await loadPolicies(dir);
      expect(loaded.ok).toBe(false);
      if (loaded.ok) return;
      expect(loaded.errors.map(formatPolicyError)).toEqual([
        `${join(dir, 'b.yaml')}:3:3 swarm service guardrail_api is already claimed by policy "t" (${join(dir, 'a.yaml')}): one target, one policy`,
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
