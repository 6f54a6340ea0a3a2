// The HTTP half of a Swarm verification: every task answers /health 200 and the expected variant on
// /version, each on its own address (not through the service's DNS name, which would answer for one task
// of several). A task may have several addresses that work from different places (docs/swarm.md): they are
// tried at the same time and the first that serves wins; the others stop at their next poll.
import type Docker from 'dockerode';
import type { VerifySpec } from '../../core/index.js';
import type { Clock } from '../../ports/clock.js';
import { waitUntilServing } from '../verify/index.js';
import { gatewayAddresses, type SwarmTask } from './tasks.js';

export interface VerifiedTask {
  readonly task: SwarmTask;
  readonly baseUrl: string;
}

export type ProbeOutcome =
  | { readonly ok: true; readonly tasks: readonly VerifiedTask[] }
  | { readonly ok: false; readonly problem: string };

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Where the controller may reach a task: its network addresses, and its docker_gwbridge address under `auto`. */
function taskUrls(task: SwarmTask, verify: VerifySpec, gateways: ReadonlyMap<string, string>): string[] {
  const gateway = task.containerId === undefined ? undefined : gateways.get(task.containerId);
  const ips =
    verify.via === 'container-ip' || gateway === undefined ? task.addresses : [gateway, ...task.addresses];
  return ips.map((ip) => `http://${ip}:${verify.port}`);
}

/** One round of probes: what must answer, for how long, on which clock. */
export interface ProbeRound {
  readonly verify: VerifySpec;
  readonly expected: string;
  readonly budgetMs: number;
  readonly clock: Clock;
}

async function probeTask(task: SwarmTask, urls: readonly string[], round: ProbeRound): Promise<VerifiedTask> {
  if (urls.length === 0)
    throw new Error(`${task.name}: no address to reach it (not attached to a network yet?)`);
  let won = false;
  const attempts = urls.map(async (url) => {
    await waitUntilServing({
      verify: { ...round.verify, timeoutMs: round.budgetMs },
      expectedVariant: round.expected,
      clock: round.clock,
      baseUrls: () => Promise.resolve([url]),
      problem: () => Promise.resolve(won ? 'another address of the task answered' : undefined),
    });
    won = true;
    return { task, baseUrl: url };
  });
  try {
    return await Promise.any(attempts);
  } catch (error) {
    const reasons = error instanceof AggregateError ? error.errors.map(messageOf) : [messageOf(error)];
    throw new Error(`${task.name}: ${reasons.join('; ')}`);
  }
}

/** Probes every task at once, for at most the round's budget; ok only when each one served the expected variant. */
export async function probeTasks(
  docker: Docker,
  tasks: readonly SwarmTask[],
  round: ProbeRound,
): Promise<ProbeOutcome> {
  const gateways =
    round.verify.via === 'container-ip' ? new Map<string, string>() : await gatewayAddresses(docker);
  const results = await Promise.allSettled(
    tasks.map((task) => probeTask(task, taskUrls(task, round.verify, gateways), round)),
  );
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [messageOf(r.reason)] : []));
  if (failed.length > 0) return { ok: false, problem: failed.join('; ') };
  return { ok: true, tasks: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])) };
}
