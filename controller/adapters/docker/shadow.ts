// The shadow candidate (ServiceSpec.shadow): while a service runs its rollback value, one container of the
// normal value (the ML model) runs beside it, and the serving baseline mirrors live prediction requests to
// it (its SHADOW_URL, set by the switch: labels.ts shadowEnv). The candidate answers mirrored requests only:
// it is the warm standby's machinery (standby.ts) with another value, name and label — a clone of the serving
// container named `<name>-guardrail-shadow`, labelled with that container's id, without host ports, on the
// service's first network WITHOUT its aliases, so nothing routes users to it and Prometheus does not scrape
// it. A roll-forward to the normal value takes it over (takeableStandby): the takeover in reverse.
//
// maintainShadow is level-triggered: `wanted` (the target is rolled back) and what Docker has decide whether
// a candidate is created, kept, replaced (made for another container, or dead for STANDBY_RETRY_MS) or
// removed. A candidate that exits or crash-loops (a model that will not load) is reported `failed` and left
// stopped for its logs; the baseline's mirroring then counts `unreachable`, and the gate breaches.
import { expectedVariant, type CandidateSpec, type ServiceSpec, type VariantValue } from '../../core/index.js';
import type Docker from 'dockerode';
import type { StandbyReport } from '../../ports/actuator.js';
import type { Clock } from '../../ports/clock.js';
import type { SourceContainer } from './clone-config.js';
import { findTargetContainers, removeContainer, stopContainer } from './container-ops.js';
import { LABEL, candidateKey, plainName, readEnvVariable, shadowContainerName, shadowEnv } from './labels.js';
import { STANDBY_RETRY_MS, composeNumberAbove, createSideContainer, keptStandbyFate, probe } from './standby.js';

type ImageOf = (info: SourceContainer) => Promise<string>;

function report(target: ServiceSpec, state: StandbyReport['state'], detail: string, actions: string[], instance?: SourceContainer): StandbyReport {
  return { target: target.name, state, detail, actions, ...(instance === undefined ? {} : { instance: { id: instance.Id, name: plainName(instance.Name) } }) };
}

type ShadowNeed =
  | { readonly kind: 'none'; readonly state: StandbyReport['state']; readonly detail: string; readonly remove: boolean }
  | { readonly kind: 'candidate'; readonly primary: SourceContainer; readonly value: VariantValue };

function shadowNeed(target: ServiceSpec, current: readonly SourceContainer[], midSwitch: boolean, wanted: boolean): ShadowNeed {
  const none = (state: StandbyReport['state'], detail: string, remove: boolean): ShadowNeed => ({ kind: 'none', state, detail, remove });
  const shadow = target.shadow;
  if (shadow === undefined) return none('not-needed', 'no shadow configured', true);
  if (!wanted) return none('not-needed', 'the candidate runs only while the target is rolled back', true);
  if (midSwitch) return none('waiting', 'an unfinished switch is being reconciled', false);
  const primary = current.find((c) => c.State.Running);
  if (primary === undefined) return none('waiting', 'no running container to shadow', false);
  if (readEnvVariable(primary.Config.Env ?? [], target.variable) === shadow.value) {
    return none('not-needed', `${plainName(primary.Name)} already runs the candidate's value`, true);
  }
  if (primary.HostConfig.NetworkMode === 'host') return none('failed', 'host networking: a candidate could not listen beside the serving container', true);
  return { kind: 'candidate', primary, value: shadow.value };
}

/** What the serving container tells about its mirroring: '' when it mirrors to `candidate`, else why not. */
function mirroring(primary: SourceContainer, candidate: string): string {
  const url = readEnvVariable(primary.Config.Env ?? [], 'SHADOW_URL');
  if (url === null) return `; ${plainName(primary.Name)} does not mirror (no SHADOW_URL: not switched by Guardrail with this shadow), so the evidence stays UNKNOWN`;
  return url.includes(`//${candidate}:`) ? '' : `; ${plainName(primary.Name)} mirrors to ${url}, not to ${candidate}`;
}

/**
 * Converges the target's shadow candidate; see the file comment. `imageOf` resolves the image to clone from;
 * an operator's `candidate` (runtime/candidate-ops.ts) replaces it and adds its environment, and a container
 * running another candidate (LABEL.candidate) is replaced.
 */
export async function maintainShadow(docker: Docker, target: ServiceSpec, wanted: boolean, imageOf: ImageOf, clock: Clock, candidate?: CandidateSpec): Promise<StandbyReport> {
  const { current, old, shadow } = await findTargetContainers(docker, target);
  const actions: string[] = [];
  const removeAll = async (which: readonly SourceContainer[], action: string): Promise<void> => {
    for (const s of which) {
      await removeContainer(docker, s.Id);
      actions.push(`${action} ${plainName(s.Name)}`);
    }
  };
  const need = shadowNeed(target, current, old.length > 0, wanted);
  if (need.kind === 'none') {
    if (need.remove) await removeAll(shadow, 'removed');
    return report(target, need.state, need.detail, actions);
  }
  const { primary, value } = need;
  const name = shadowContainerName(plainName(primary.Name));
  const mine = shadow.filter((s) => s.Config.Labels?.[LABEL.shadowFor] === primary.Id);
  await removeAll(shadow.filter((s) => !mine.includes(s)), 'removed-stale');
  const [kept, ...extra] = mine;
  await removeAll(extra, 'removed-extra');
  if (kept !== undefined) {
    const otherCandidate = (kept.Config.Labels?.[LABEL.candidate] ?? '') !== candidateKey(candidate);
    const fate = otherCandidate ? 'replace-stale' : keptStandbyFate(kept, target, value, clock.now());
    if (fate === 'probe') {
      const answer = await probe(kept, target, value, clock);
      const variant = expectedVariant(value, target.verify);
      return answer === undefined ? report(target, 'ready', `serves ${variant}${mirroring(primary, name)}`, actions, kept) : report(target, 'starting', answer, actions, kept);
    }
    if (fate === 'leave-dead') {
      if (kept.State.Running || kept.State.Restarting) await stopContainer(docker, kept.Id);
      const why = `exited with code ${kept.State.ExitCode} after ${kept.RestartCount} restarts (a model that will not load?)`;
      return report(target, 'failed', `${why}; replaced ${Math.round(STANDBY_RETRY_MS / 1000)} s after it ended`, actions, kept);
    }
    await removeAll([kept], fate === 'replace-stale' ? 'removed-stale' : 'removed-dead');
  }
  const side = {
    name,
    value,
    label: LABEL.shadowFor,
    env: { ...shadowEnv(target.shadow, value, name, target.verify.port), ...candidate?.env },
    labels: { [LABEL.candidate]: candidateKey(candidate) },
    ...(candidate?.image === undefined ? {} : { candidateImage: candidate.image }),
  };
  const created = await createSideContainer(docker, target, primary, side, candidate?.image ?? (await imageOf(primary)), composeNumberAbove(current));
  actions.push(`created ${created.name}${candidate === undefined ? '' : ` running candidate ${describeCandidate(candidate)}`}`);
  return { target: target.name, state: 'starting', detail: `created beside ${plainName(primary.Name)}`, actions, instance: created };
}

function describeCandidate(candidate: CandidateSpec): string {
  return [candidate.image ?? '', ...Object.entries(candidate.env).map(([k, v]) => `${k}=${v}`)].filter((p) => p !== '').join(' ');
}
