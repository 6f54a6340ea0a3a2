// Semantic checks and normalisation of a policy's `target`: which services (exactly one kind: compose,
// containers or swarm), and the switch settings that only make sense for some strategies or kinds.
import type { Policy } from '../../core/policy.js';
import type { Checker } from './checker.js';
import type { RawPolicy } from './raw.js';

type RawTarget = RawPolicy['target'];

function kindChecks(c: Checker, t: RawTarget): void {
  const kinds = [t.compose, t.containers, t.swarm].filter((kind) => kind !== undefined).length;
  if (kinds !== 1)
    c.fail(['target'], `target "${t.name}": give exactly one of "compose", "containers" or "swarm"`);
  if (t.parallelism !== undefined && t.swarm === undefined) {
    c.fail(
      ['target', 'parallelism'],
      'parallelism is for swarm targets (update_config.parallelism); compose services and containers are switched one container at a time',
    );
  }
}

/** What Swarm does itself, or cannot do, and is therefore refused for a swarm target (docs/swarm.md). */
function swarmChecks(c: Checker, t: RawTarget): void {
  if (t.swarm === undefined) return;
  if (t.warmStandby !== undefined && t.warmStandby !== false) {
    c.fail(
      ['target', 'warmStandby'],
      'warmStandby is not supported for swarm targets: Swarm owns the tasks of a service and would remove a standby task it did not schedule',
    );
  }
  if (t.stopSignal !== undefined) {
    c.fail(
      ['target', 'stopSignal'],
      "stopSignal is not supported for swarm targets: Swarm stops the old tasks with the service's own stop signal (stop_signal in the stack file)",
    );
  }
  if (t.settle !== undefined) {
    c.fail(
      ['target', 'settle'],
      'settle is not supported for swarm targets: Swarm stops an old task once its start-first successor runs (update_config.delay and monitor in the stack file)',
    );
  }
  if (t.verify.via === 'published-port') {
    c.fail(
      ['target', 'verify', 'via'],
      "verify.via published-port is not supported for swarm targets: a start-first task has no fixed published port; use container-ip (a controller on the stack's network) or auto",
    );
  }
}

function strategyChecks(c: Checker, t: RawTarget): void {
  if (t.warmStandby !== undefined && t.warmStandby !== false && t.strategy !== 'start-first') {
    c.fail(
      ['target', 'warmStandby'],
      `warmStandby needs strategy start-first: under ${t.strategy} the standby could not take over the old container's published ports while it runs`,
    );
  }
  if (t.settle !== undefined && t.strategy !== 'start-first') {
    c.fail(
      ['target', 'settle'],
      `settle is for strategy start-first (how long the old container keeps serving beside the verified new one); under ${t.strategy} the old one is stopped first`,
    );
  }
}

/**
 * target.warmStandby: `true` (every service), a list naming some of the target's services (compose services
 * or containers), or off (`false` or absent). An empty list, a name the target does not switch, or a name
 * listed twice is refused at its position (the strategy and swarm checks above refuse it where it cannot be).
 */
function standbySetting(c: Checker, t: RawTarget): true | readonly string[] | undefined {
  const setting = t.warmStandby;
  if (setting === undefined || setting === false) return undefined;
  if (setting === true) return true;
  const services = [...(t.compose?.services ?? []), ...(t.containers ?? [])];
  if (setting.length === 0) {
    c.fail(['target', 'warmStandby'], 'warmStandby: an empty list; write false for no standby, or name the services to keep one for');
  }
  setting.forEach((name, i) => {
    if (!services.includes(name)) {
      c.fail(['target', 'warmStandby', i], `warmStandby: "${name}" is not one of the target's services (${services.join(', ')})`);
    } else if (setting.indexOf(name) !== i) {
      c.fail(['target', 'warmStandby', i], `warmStandby: "${name}" is listed twice`);
    }
  });
  return setting;
}

/** `swarm: guardrail_api` is one service by its full Swarm name; `swarm: {stack, services}` names a stack's services. */
function swarmServices(t: RawTarget): Policy['target']['swarm'] {
  if (t.swarm === undefined) return undefined;
  return typeof t.swarm === 'string'
    ? { services: [t.swarm] }
    : { stack: t.swarm.stack, services: t.swarm.services };
}

export function target(c: Checker, raw: RawPolicy): Policy['target'] {
  const t = raw.target;
  kindChecks(c, t);
  strategyChecks(c, t);
  swarmChecks(c, t);
  const settleMs = t.settle === undefined ? undefined : c.duration(['target', 'settle'], t.settle, 0);
  const warmStandby = t.swarm === undefined ? standbySetting(c, t) : undefined;
  const swarm = swarmServices(t);
  const verify = {
    port: t.verify.port,
    healthPath: t.verify.healthPath,
    versionPath: t.verify.versionPath,
    variantField: t.verify.variantField,
    absentVariant: t.verify.absentVariant ?? 'ml',
    timeoutMs: c.duration(['target', 'verify', 'timeout'], t.verify.timeout, 60_000),
    ...(t.verify.via === undefined ? {} : { via: t.verify.via }),
  };
  return {
    name: t.name,
    ...(t.compose === undefined ? {} : { compose: t.compose }),
    ...(t.containers === undefined ? {} : { containers: t.containers }),
    ...(swarm === undefined ? {} : { swarm }),
    variable: t.variable,
    normalValue: t.normalValue ?? null,
    rollbackValue: t.rollbackValue,
    strategy: t.strategy,
    ...(t.stopSignal === undefined ? {} : { stopSignal: t.stopSignal }),
    ...(warmStandby === undefined ? {} : { warmStandby }),
    ...(settleMs === undefined ? {} : { settleMs }),
    ...(t.parallelism === undefined ? {} : { parallelism: t.parallelism }),
    verify,
  };
}
