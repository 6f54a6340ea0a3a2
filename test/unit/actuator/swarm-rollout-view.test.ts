// Where a Swarm rollout stands (adapters/swarm/rollout-view.ts), one row per case: an UpdateStatus left
// over from before the request never counts; an update is over only when Swarm says completed AND every
// wanted task runs the new value; a rollback by Swarm or a pause ends the wait for an update.
import { describe, expect, it } from 'vitest';
import { rolloutView, type RolloutLook } from '../../../controller/adapters/swarm/rollout-view.js';
import type { SwarmService, UpdateStatus } from '../../../controller/adapters/swarm/service-spec.js';
import type { SwarmTask } from '../../../controller/adapters/swarm/tasks.js';

const BEFORE = '2026-12-01T10:00:00Z';
const AFTER = '2026-12-01T10:05:00Z';

function service(status: UpdateStatus | undefined, replicas = 2): SwarmService {
  return {
    ID: 's1',
    Version: { Index: 9 },
    Spec: { Name: 'st_api', Mode: { Replicated: { Replicas: replicas } } },
    ...(status === undefined ? {} : { UpdateStatus: status }),
  };
}

function task(slot: number, value: string | null, state = 'running', message = ''): SwarmTask {
  return {
    id: `t${slot}`,
    name: `st_api.${slot}`,
    state,
    desiredState: 'running',
    message,
    value,
    addresses: [`10.0.1.${slot}`],
  };
}

function look(
  status: UpdateStatus | undefined,
  tasks: SwarmTask[],
  rollout: 'update' | 'rollback' = 'update',
  value: string | null = 'baseline',
): RolloutLook {
  return { service: service(status), tasks, variable: 'MODEL_VARIANT', value, rollout, since: BEFORE };
}

const both = [task(1, 'baseline'), task(2, 'baseline')];

describe('rolloutView', () => {
  it.each<[string, RolloutLook, ReturnType<typeof rolloutView>]>([
    [
      'update: the status from before the request',
      look({ State: 'completed', StartedAt: BEFORE }, both),
      { kind: 'in-progress', problem: 'Swarm has not started the update yet' },
    ],
    [
      'update: no status yet',
      look(undefined, both),
      { kind: 'in-progress', problem: 'Swarm has not started the update yet' },
    ],
    [
      'update: updating',
      look({ State: 'updating', StartedAt: AFTER, Message: 'update in progress' }, both),
      { kind: 'in-progress', problem: 'update updating: update in progress' },
    ],
    [
      'update: completed, every task on the value',
      look({ State: 'completed', StartedAt: AFTER }, both),
      { kind: 'converged' },
    ],
    [
      'update: completed, a task still old and one starting',
      look({ State: 'completed', StartedAt: AFTER }, [task(1, 'baseline', 'starting'), task(2, null)]),
      {
        kind: 'in-progress',
        problem:
          '1 task(s) still without MODEL_VARIANT (st_api.2); st_api.1 starting; 1 of 2 task(s) MODEL_VARIANT=baseline',
      },
    ],
    [
      'update: completed, one task short',
      look({ State: 'completed', StartedAt: AFTER }, [task(1, 'baseline')]),
      { kind: 'in-progress', problem: '1 of 2 task(s) MODEL_VARIANT=baseline' },
    ],
    [
      'update: Swarm rolled back',
      look(
        { State: 'rollback_started', StartedAt: AFTER, Message: 'update rolled back due to failure' },
        both,
      ),
      { kind: 'rolled-back', state: 'rollback_started', message: 'update rolled back due to failure' },
    ],
    [
      'update: paused',
      look({ State: 'paused', StartedAt: AFTER, Message: 'update paused due to failure' }, both),
      { kind: 'paused', state: 'paused', message: 'update paused due to failure' },
    ],
    [
      'rollback: our update still completed',
      look({ State: 'completed', StartedAt: AFTER }, both, 'rollback', null),
      { kind: 'in-progress', problem: 'rollback: completed' },
    ],
    [
      'rollback: started',
      look({ State: 'rollback_started', StartedAt: AFTER }, both, 'rollback', null),
      { kind: 'in-progress', problem: 'rollback: rollback_started' },
    ],
    [
      'rollback: completed, every task back',
      look(
        { State: 'rollback_completed', StartedAt: AFTER },
        [task(1, null), task(2, null)],
        'rollback',
        null,
      ),
      { kind: 'converged' },
    ],
    [
      'rollback: paused',
      look(
        { State: 'rollback_paused', StartedAt: AFTER, Message: 'rollback paused' },
        both,
        'rollback',
        null,
      ),
      { kind: 'paused', state: 'rollback_paused', message: 'rollback paused' },
    ],
  ])('%s', (_name, input, expected) => {
    expect(rolloutView(input)).toEqual(expected);
  });

  it('a service scaled to 0 has nothing to roll: converged without a status', () => {
    expect(
      rolloutView({
        service: service(undefined, 0),
        tasks: [],
        variable: 'MODEL_VARIANT',
        value: 'baseline',
        rollout: 'update',
        since: BEFORE,
      }),
    ).toEqual({ kind: 'converged' });
  });

  it('a global service needs at least one task, all on the value', () => {
    const global: SwarmService = {
      ID: 's1',
      Version: { Index: 1 },
      Spec: { Mode: { Global: {} } },
      UpdateStatus: { State: 'completed', StartedAt: AFTER },
    };
    const base = {
      service: global,
      variable: 'MODEL_VARIANT',
      value: 'baseline',
      rollout: 'update' as const,
      since: BEFORE,
    };
    expect(rolloutView({ ...base, tasks: [] })).toEqual({
      kind: 'in-progress',
      problem: 'no task MODEL_VARIANT=baseline yet',
    });
    expect(rolloutView({ ...base, tasks: [task(1, 'baseline')] })).toEqual({ kind: 'converged' });
  });
});
