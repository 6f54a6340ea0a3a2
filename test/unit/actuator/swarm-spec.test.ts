// The Swarm service spec a switch submits (adapters/swarm/service-spec.ts): the variable set or removed in
// the task template (a bare `NAME` from `docker stack deploy` counts as absent and is replaced), Guardrail's
// labels with the original value carried from switch to switch, the policy's order and parallelism with
// Swarm's own rollback on failure, and every other field of the spec passed back untouched.
import { describe, expect, it } from 'vitest';
import {
  envValue,
  planSwitch,
  withEnvValue,
  type SwarmServiceSpec,
} from '../../../controller/adapters/swarm/service-spec.js';

const STACK_SPEC: SwarmServiceSpec = {
  Name: 'guardrail_api',
  Labels: { 'com.docker.stack.namespace': 'guardrail', 'com.docker.stack.image': 'guardrail/service:dev' },
  TaskTemplate: {
    ContainerSpec: {
      Image: 'guardrail/service:dev',
      Env: ['MODEL_VARIANT', 'LOG_LEVEL=info'],
      StopGracePeriod: 10_000_000_000,
    },
    RestartPolicy: { Condition: 'any' },
    Networks: [{ Target: 'net-id', Aliases: ['api'] }],
  },
  Mode: { Replicated: { Replicas: 3 } },
  UpdateConfig: {
    Parallelism: 1,
    Delay: 0,
    FailureAction: 'pause',
    Monitor: 2_000_000_000,
    Order: 'stop-first',
    MaxFailureRatio: 0,
  },
  EndpointSpec: { Mode: 'dnsrr' },
};

const input = {
  variable: 'MODEL_VARIANT',
  rollbackId: 'rb-1',
  targetName: 'prediction-service/api',
  strategy: 'start-first' as const,
  parallelism: 2,
};

describe('env of a Swarm task template', () => {
  it.each([
    [['MODEL_VARIANT=baseline'], 'baseline'],
    [['MODEL_VARIANT='], ''],
    [['MODEL_VARIANT'], null],
    [['OTHER=1'], null],
    [['MODEL_VARIANTS=x'], null],
  ])('envValue(%j) is %j', (env, value) => {
    expect(envValue(env, 'MODEL_VARIANT')).toBe(value);
  });

  it('sets the variable where it was, bare entry included, and removes it for null', () => {
    expect(withEnvValue(['A=1', 'MODEL_VARIANT', 'B=2'], 'MODEL_VARIANT', 'baseline')).toEqual([
      'A=1',
      'MODEL_VARIANT=baseline',
      'B=2',
    ]);
    expect(withEnvValue(['MODEL_VARIANT=ml', 'MODEL_VARIANT', 'B=2'], 'MODEL_VARIANT', 'baseline')).toEqual([
      'MODEL_VARIANT=baseline',
      'B=2',
    ]);
    expect(withEnvValue(['A=1'], 'MODEL_VARIANT', 'baseline')).toEqual(['A=1', 'MODEL_VARIANT=baseline']);
    expect(withEnvValue(['A=1', 'MODEL_VARIANT=baseline', 'MODEL_VARIANT'], 'MODEL_VARIANT', null)).toEqual([
      'A=1',
    ]);
  });
});

describe('planSwitch', () => {
  it('sets the variable, labels the switch, and rolls out start-first at the policy parallelism with Swarm rollback on failure', () => {
    const plan = planSwitch(STACK_SPEC, { ...input, value: 'baseline', expectedVariant: 'baseline' });
    expect(plan.fromValue).toBeNull();
    expect(plan.originalValue).toBeNull();
    expect(plan.spec).toEqual({
      ...STACK_SPEC,
      Labels: {
        ...STACK_SPEC.Labels,
        'guardrail.managed': 'true',
        'guardrail.rollback-id': 'rb-1',
        'guardrail.target': 'prediction-service/api',
        'guardrail.variant': 'baseline',
        'guardrail.original-absent': 'true',
      },
      TaskTemplate: {
        ...STACK_SPEC.TaskTemplate,
        ContainerSpec: {
          ...STACK_SPEC.TaskTemplate?.ContainerSpec,
          Env: ['MODEL_VARIANT=baseline', 'LOG_LEVEL=info'],
        },
      },
      UpdateConfig: {
        Parallelism: 2,
        Delay: 0,
        FailureAction: 'rollback',
        Monitor: 2_000_000_000,
        Order: 'start-first',
        MaxFailureRatio: 0,
      },
      RollbackConfig: { Parallelism: 2, Order: 'start-first', FailureAction: 'continue' },
    });
  });

  it('recreate rolls out stop-first', () => {
    const plan = planSwitch(STACK_SPEC, {
      ...input,
      strategy: 'recreate',
      value: 'baseline',
      expectedVariant: 'baseline',
    });
    expect([plan.spec.UpdateConfig?.['Order'], plan.spec.RollbackConfig?.['Order']]).toEqual([
      'stop-first',
      'stop-first',
    ]);
  });

  it('carries the original value from the labels: a roll-forward after a rollback restores it', () => {
    const rolledBack = planSwitch(STACK_SPEC, {
      ...input,
      value: 'baseline',
      expectedVariant: 'baseline',
    }).spec;
    const forward = planSwitch(rolledBack, {
      ...input,
      rollbackId: 'rf-1',
      value: null,
      expectedVariant: 'ml',
    });
    expect(forward.fromValue).toBe('baseline');
    expect(forward.originalValue).toBeNull();
    expect(forward.spec.TaskTemplate?.ContainerSpec?.Env).toEqual(['LOG_LEVEL=info']);
    expect(forward.spec.Labels).toMatchObject({
      'guardrail.rollback-id': 'rf-1',
      'guardrail.variant': 'ml',
      'guardrail.original-absent': 'true',
    });

    const fromMl = planSwitch(
      { ...STACK_SPEC, TaskTemplate: { ContainerSpec: { Env: ['MODEL_VARIANT=ml'] } } },
      { ...input, value: 'baseline', expectedVariant: 'baseline' },
    );
    expect(fromMl.originalValue).toBe('ml');
    expect(fromMl.spec.Labels).toMatchObject({ 'guardrail.original-value': 'ml' });
    expect(fromMl.spec.Labels?.['guardrail.original-absent']).toBeUndefined();
  });
});
