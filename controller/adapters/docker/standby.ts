// Warm standby (ServiceSpec.warmStandby, start-first only): one container of the rollback value kept running
// beside the current one, so a rollback takes it over instead of creating and booting a new container.
// Measured (docs/actuators.md): `docker start` of the service ~0.3 s plus its Node boot 0.3–0.8 s are what a
// plain switch waits for; taking over a standby is two renames, a network re-connect and one verification.
//
// The standby is a clone of the current container (docker-clone-config.ts: same image, env, volumes,
// labels, incl. compose's, so it is compose's container once it takes over) with the variable set to the
// rollback value, named `<name>-guardrail-standby`, labelled with the current container's id, without host
// ports and on the service's first network WITHOUT its aliases: nothing routes traffic to it.
//
// maintainStandby is level-triggered: from what Docker has, it creates the standby when it is missing,
// replaces one made for another container (compose recreated the service, a roll-forward replaced it),
// removes it when the target already runs its value or no standby is configured, and leaves a dead one
// stopped for STANDBY_RETRY_MS so its logs can be read and a broken image is not restarted in a loop.
import { expectedVariant, type CandidateSpec, type ServiceSpec, type VariantValue } from '../../core/index.js';
import type Docker from 'dockerode';
import type { InstanceRef, StandbyReport } from '../../ports/actuator.js';
import type { Clock } from '../../ports/clock.js';
import { planClone } from './clone-config.js';
import type { SourceContainer } from './clone-config.js';
import { containerBaseUrls, findTargetContainers, removeContainer, stopContainer } from './container-ops.js';
import { COMPOSE_LABEL, LABEL, candidateKey, plainName, readEnvVariable, shadowEnv, standbyContainerName } from './labels.js';
import { planAttachments, withoutAliases } from './networks.js';
import { waitUntilServing } from '../verify/index.js';

/** How long a standby that exited or crash-looped is left (stopped) before it is replaced. */
export const STANDBY_RETRY_MS = 60_000;
/** maintainStandby's own look at a running standby: one quick probe, it never waits for a boot. */
const PROBE_TIMEOUT_MS = 1_000;

type ImageOf = (info: SourceContainer) => Promise<string>;

function report(
  target: ServiceSpec,
  state: StandbyReport['state'],
  detail: string,
  actions: string[],
  instance?: SourceContainer,
): StandbyReport {
  return {
    target: target.name,
    state,
    detail,
    actions,
    ...(instance === undefined ? {} : { instance: { id: instance.Id, name: plainName(instance.Name) } }),
  };
}

/** Converges the target's standby; see the file comment. `imageOf` resolves the image to clone from. */
export async function maintainStandby(
  docker: Docker,
  target: ServiceSpec,
  imageOf: ImageOf,
  clock: Clock,
): Promise<StandbyReport> {
  const nowMs = clock.now();
  const { current, old, standby } = await findTargetContainers(docker, target);
  const actions: string[] = [];
  const removeAll = async (which: readonly SourceContainer[], action: string): Promise<void> => {
    for (const s of which) {
      await removeContainer(docker, s.Id);
      actions.push(`${action} ${plainName(s.Name)}`);
    }
  };

  const need = standbyNeed(target, current, old.length > 0);
  if (need.kind === 'none') {
    if (need.removeStandbys) await removeAll(standby, 'removed');
    return report(target, need.state, need.detail, actions);
  }
  const { primary, value } = need;
  const mine = standby.filter((s) => s.Config.Labels?.[LABEL.standbyFor] === primary.Id);
  await removeAll(standby.filter((s) => !mine.includes(s)), 'removed-stale');
  const [kept, ...extra] = mine;
  await removeAll(extra, 'removed-extra');
  if (kept !== undefined) {
    const fate = keptStandbyFate(kept, target, value, nowMs);
    if (fate === 'probe') {
      const answer = await probe(kept, target, value, clock);
      return answer === undefined
        ? report(target, 'ready', `serves ${expectedVariant(value, target.verify)}`, actions, kept)
        : report(target, 'starting', answer, actions, kept);
    }
    if (fate === 'leave-dead') {
      // Stopped (not removed): its logs say why; `docker stop` also ends a restart loop.
      if (kept.State.Running || kept.State.Restarting) await stopContainer(docker, kept.Id);
      const why = `exited with code ${kept.State.ExitCode} after ${kept.RestartCount} restarts`;
      return report(target, 'failed', `${why}; replaced ${Math.round(STANDBY_RETRY_MS / 1000)} s after it ended`, actions, kept);
    }
    await removeAll([kept], fate === 'replace-stale' ? 'removed-stale' : 'removed-dead');
  }

  const side = { name: standbyContainerName(plainName(primary.Name)), value, label: LABEL.standbyFor, env: shadowEnv(target.shadow, value, plainName(primary.Name), target.verify.port) };
  const created = await createSideContainer(docker, target, primary, side, await imageOf(primary), composeNumberAbove(current));
  actions.push(`created ${created.name}`);
  return { target: target.name, state: 'starting', detail: `created for ${plainName(primary.Name)}`, actions, instance: created };
}

type StandbyNeed =
  | { readonly kind: 'none'; readonly state: StandbyReport['state']; readonly detail: string; readonly removeStandbys: boolean }
  | { readonly kind: 'standby'; readonly primary: SourceContainer; readonly value: VariantValue };

/** Whether the target wants a standby now, for which running container and value; if not, why. */
function standbyNeed(target: ServiceSpec, current: readonly SourceContainer[], midSwitch: boolean): StandbyNeed {
  const none = (state: StandbyReport['state'], detail: string, removeStandbys: boolean): StandbyNeed => ({ kind: 'none', state, detail, removeStandbys });
  const wanted = target.warmStandby;
  if (wanted === undefined) return none('not-needed', 'no warm standby configured', true);
  if (target.strategy !== 'start-first') return none('not-needed', 'a warm standby needs strategy start-first', true);
  if (midSwitch) return none('waiting', 'an unfinished switch is being reconciled', false);
  const primary = current.find((c) => c.State.Running);
  if (primary === undefined) return none('waiting', 'no running container to stand by for', false);
  if (readEnvVariable(primary.Config.Env ?? [], target.variable) === wanted.value) {
    return none('not-needed', `${plainName(primary.Name)} already runs ${describeValue(target, wanted.value)}`, true);
  }
  if (primary.HostConfig.NetworkMode === 'host') {
    return none('failed', 'host networking: a standby could not listen beside the current container', true);
  }
  return { kind: 'standby', primary, value: wanted.value };
}

/**
 * What becomes of the standby made for the current container: one of another value is replaced; a running
 * one is probed; one that ended (exited, or restarted by its policy) is left stopped until STANDBY_RETRY_MS
 * after it ended, then replaced.
 */
export function keptStandbyFate(
  kept: SourceContainer,
  target: ServiceSpec,
  value: VariantValue,
  nowMs: number,
): 'replace-stale' | 'probe' | 'leave-dead' | 'replace-dead' {
  if (readEnvVariable(kept.Config.Env ?? [], target.variable) !== value) return 'replace-stale';
  if (kept.State.Running && !kept.State.Restarting && kept.RestartCount === 0) return 'probe';
  const finishedMs = Date.parse(kept.State.FinishedAt);
  return Number.isFinite(finishedMs) && nowMs - finishedMs < STANDBY_RETRY_MS ? 'leave-dead' : 'replace-dead';
}

/**
 * Compose counts the standby as one more replica of the service (it carries the service's labels, so that it
 * is compose's container once it takes over), and `docker compose up` scales a service down by removing the
 * highest container numbers first. A number above every current replica's makes the standby the one removed
 * (maintainStandby makes it again), never a serving container. Measured with Compose 1.29: `up -d` removed the
 * standby. undefined when the containers are not compose's.
 */
export function composeNumberAbove(current: readonly SourceContainer[]): string | undefined {
  const numbers = current
    .map((c) => Number(c.Config.Labels?.[COMPOSE_LABEL.containerNumber]))
    .filter((n) => Number.isInteger(n));
  return numbers.length === 0 ? undefined : String(Math.max(...numbers) + 1);
}

function describeValue(target: ServiceSpec, value: VariantValue): string {
  return value === null ? `without ${target.variable}` : `${target.variable}=${value}`;
}

/** A container beside the current one, off its aliases and host ports: a warm standby or a shadow candidate. */
export interface SideContainer {
  readonly name: string;
  readonly value: VariantValue;
  /** The label that ties it to the current container's id (LABEL.standbyFor or LABEL.shadowFor). */
  readonly label: string;
  /** The shadow's variables it gets (labels.ts shadowEnv), and an operator candidate's. */
  readonly env: Readonly<Record<string, string | null>>;
  /** More labels (a shadow's LABEL.candidate). */
  readonly labels?: Readonly<Record<string, string>>;
  /** An operator candidate's image (allowed by the policy), instead of the primary's. */
  readonly candidateImage?: string;
}

export async function createSideContainer(
  docker: Docker,
  target: ServiceSpec,
  primary: SourceContainer,
  side: SideContainer,
  image: string,
  composeNumber: string | undefined,
): Promise<InstanceRef> {
  const { name, value } = side;
  const plan = planClone(primary, {
    variable: target.variable,
    value,
    env: side.env,
    rollbackId: `${side.label === LABEL.shadowFor ? 'shadow' : 'standby'}-${primary.Id.slice(0, 12)}`,
    targetName: target.name,
    expectedVariant: expectedVariant(value, target.verify),
    strategy: 'start-first', // no host ports, no static IP or MAC: the current container keeps those
    image,
    name,
    ...(side.candidateImage === undefined ? {} : { candidateImage: side.candidateImage }),
  });
  const [first] = planAttachments(plan);
  const create: Docker.ContainerCreateOptions = {
    ...plan.create,
    Labels: {
      ...plan.create.Labels,
      [side.label]: primary.Id,
      ...side.labels,
      ...(composeNumber === undefined ? {} : { [COMPOSE_LABEL.containerNumber]: composeNumber }),
    },
    ...(first === undefined
      ? {}
      : { NetworkingConfig: { EndpointsConfig: { [first.network]: withoutAliases(first).endpoint } } }),
  };
  const container = await docker.createContainer(create);
  try {
    await container.start();
  } catch (error) {
    await removeContainer(docker, container.id).catch(() => undefined);
    throw error;
  }
  return { id: container.id, name };
}

/** undefined when the standby answers with its variant now, else what it answered. */
export async function probe(info: SourceContainer, target: ServiceSpec, value: VariantValue, clock: Clock): Promise<string | undefined> {
  try {
    await waitUntilServing({
      verify: { ...target.verify, timeoutMs: PROBE_TIMEOUT_MS },
      expectedVariant: expectedVariant(value, target.verify),
      baseUrls: () => Promise.resolve(containerBaseUrls(info, { ...target.verify, via: 'container-ip' })),
      pollIntervalMs: PROBE_TIMEOUT_MS, // one try
      clock,
    });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * The side container (from `sides`: warm standbys and shadow candidates, as findTargetContainers listed them)
 * that may take over `current` in a switch to `value`: the warm standby of the rollback value, or the shadow
 * candidate of the normal value (a roll-forward is the standby's takeover in reverse); running, never
 * restarted, made for exactly this container and value. One that does not qualify is removed (its maintenance
 * makes a new one later) and the switch goes the usual way; the reason is returned for the journal.
 */
export async function takeableStandby(
  docker: Docker,
  target: ServiceSpec,
  sides: readonly SourceContainer[],
  current: SourceContainer,
  value: VariantValue,
  promoting?: CandidateSpec,
): Promise<{ standby?: SourceContainer; skipped?: string }> {
  if (target.strategy !== 'start-first') return {};
  const label = target.warmStandby?.value === value ? LABEL.standbyFor : target.shadow?.value === value ? LABEL.shadowFor : undefined;
  if (label === undefined) return {};
  const kind = label === LABEL.standbyFor ? 'standby' : 'shadow candidate';
  const candidate = sides.find((s) => s.Config.Labels?.[label] === current.Id);
  if (candidate === undefined) return { skipped: `no ${kind} for this container` };
  const usable =
    candidate.State.Running &&
    !candidate.State.Restarting &&
    candidate.RestartCount === 0 &&
    readEnvVariable(candidate.Config.Env ?? [], target.variable) === value &&
    // A shadow takes over only if it runs the candidate being promoted (another one was set since: replaced).
    (label !== LABEL.shadowFor || (candidate.Config.Labels?.[LABEL.candidate] ?? '') === candidateKey(promoting));
  if (usable) return { standby: candidate };
  await removeContainer(docker, candidate.Id);
  return { skipped: `${kind} ${plainName(candidate.Name)} was ${candidate.State.Status} (restarts ${candidate.RestartCount})` };
}
