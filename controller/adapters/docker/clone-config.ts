// Pure mapping: `docker inspect` of a running container → the create options of its twin with one env
// variable changed. Everything else is preserved, because a rollback that silently drops a volume, a
// network alias or compose's config-hash label causes an outage of its own (or gets undone by the next
// `docker compose up -d`). Unit-tested on real inspect output without a Docker Engine.
import type { Strategy, VariantValue } from '../../core/index.js';
import type Docker from 'dockerode';
import {
  isActuatorLabel,
  LABEL,
  originalValueFromLabels,
  readEnvVariable,
  withEnvVariable,
} from './labels.js';

/** What we read of `docker inspect`; dockerode's type lacks a few fields the Engine does return. */
export type SourceContainer = Docker.ContainerInspectInfo & {
  Config: { StopSignal?: string; StopTimeout?: number; Shell?: string[]; MacAddress?: string };
};

export interface CloneRequest {
  readonly variable: string;
  readonly value: VariantValue;
  readonly rollbackId: string;
  readonly targetName: string;
  readonly expectedVariant: string;
  readonly strategy: Strategy;
  /** The image reference to create from (the old container's own image, resolved by the caller). */
  readonly image: string;
  /** The name of the new container. */
  readonly name: string;
  /** Other variables the actuator manages (the shadow's, labels.ts shadowEnv; a candidate's): set, or removed (null). */
  readonly env?: Readonly<Record<string, string | null>>;
  /** An operator's candidate image (allowed by the policy: runtime/candidate-allow.ts), the one image other than the source's a create may carry. */
  readonly candidateImage?: string;
}

export interface NetworkAttachment {
  readonly network: string;
  readonly endpoint: Docker.EndpointSettings;
}

export interface ClonePlan {
  readonly create: Docker.ContainerCreateOptions;
  /** API 1.41 attaches one network at create: these are connected before start, with their aliases. */
  readonly extraNetworks: readonly NetworkAttachment[];
  readonly fromValue: VariantValue;
  readonly originalValue: VariantValue;
}

export class UnsupportedContainerError extends Error {
  override readonly name = 'UnsupportedContainerError';
}

/** The create options of `source`'s twin, refused when they are not a faithful clone (unclonedPowers). */
export function planClone(source: SourceContainer, request: CloneRequest): ClonePlan {
  const plan = planTwin(source, request);
  const escalations = unclonedPowers(source, plan.create, request.variable, Object.keys(request.env ?? {}), request.candidateImage);
  if (escalations.length > 0) {
    throw new UnsupportedContainerError(`refusing a create the actuator did not clone from ${source.Name}: ${escalations.join('; ')}`);
  }
  return plan;
}

function planTwin(source: SourceContainer, request: CloneRequest): ClonePlan {
  const hostConfig = source.HostConfig;
  const networkMode = hostConfig.NetworkMode ?? 'default';
  refuseUnsupported(hostConfig, networkMode);

  const config = source.Config;
  const fromValue = readEnvVariable(config.Env ?? [], request.variable);
  const originalValue = originalValueFromLabels(config.Labels ?? {}, fromValue);
  const { portBindings, droppedLabel } = planPortBindings(source, request.strategy);
  const { primary, extra } = planNetworks(source, networkMode, request.strategy);
  const labels = cloneLabels(config.Labels ?? {}, request, originalValue, droppedLabel);

  const newHostConfig: Docker.HostConfig = {
    ...hostConfig,
    PortBindings: portBindings,
    ...planVolumes(source),
  };

  const create: Docker.ContainerCreateOptions = {
    name: request.name,
    Image: request.image,
    Env: Object.entries(request.env ?? {}).reduce((env, [name, value]) => withEnvVariable(env, name, value), withEnvVariable(config.Env ?? [], request.variable, request.value)),
    Labels: labels,
    HostConfig: newHostConfig,
    User: config.User,
    Domainname: config.Domainname,
    Tty: config.Tty,
    OpenStdin: config.OpenStdin,
    StdinOnce: config.StdinOnce,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    WorkingDir: config.WorkingDir,
    ...(config.Cmd ? { Cmd: config.Cmd } : {}),
    ...(config.Entrypoint !== undefined && config.Entrypoint !== null
      ? { Entrypoint: config.Entrypoint }
      : {}),
    ...(config.ExposedPorts ? { ExposedPorts: config.ExposedPorts } : {}),
    ...(config.Volumes ? { Volumes: config.Volumes } : {}),
    ...(config.Healthcheck ? { Healthcheck: config.Healthcheck } : {}),
    ...(config.StopSignal ? { StopSignal: config.StopSignal } : {}),
    ...(config.StopTimeout !== undefined && config.StopTimeout !== null
      ? { StopTimeout: config.StopTimeout }
      : {}),
    ...(config.Shell ? { Shell: config.Shell } : {}),
    // Docker sets the hostname to the short container id unless one was given: let the new one get its own.
    ...(config.Hostname && !source.Id.startsWith(config.Hostname) ? { Hostname: config.Hostname } : {}),
    // A fixed MAC would clash while both containers run.
    ...(config.MacAddress && request.strategy === 'recreate' ? { MacAddress: config.MacAddress } : {}),
    ...(primary ? { NetworkingConfig: { EndpointsConfig: { [primary.network]: primary.endpoint } } } : {}),
  };

  return { create, extraNetworks: extra, fromValue, originalValue };
}

/**
 * A container sharing another's network namespace, or one Docker deletes when it stops, cannot be kept as
 * the fallback while its successor starts.
 */
function refuseUnsupported(hostConfig: SourceContainer['HostConfig'], networkMode: string): void {
  if (networkMode.startsWith('container:')) {
    throw new UnsupportedContainerError(`network mode ${networkMode} shares another container's namespace`);
  }
  if (hostConfig.AutoRemove === true) {
    throw new UnsupportedContainerError('AutoRemove (--rm) containers would vanish when stopped');
  }
}

/** Every label of the source but the actuator's own, then the actuator's for this switch. */
function cloneLabels(
  source: Readonly<Record<string, string>>,
  request: CloneRequest,
  originalValue: VariantValue,
  droppedLabel: string | undefined,
): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (!isActuatorLabel(key)) labels[key] = value;
  }
  labels[LABEL.managed] = 'true';
  labels[LABEL.rollbackId] = request.rollbackId;
  labels[LABEL.variant] = request.expectedVariant;
  labels[LABEL.target] = request.targetName;
  if (originalValue === null) labels[LABEL.originalAbsent] = 'true';
  else labels[LABEL.originalValue] = originalValue;
  if (droppedLabel !== undefined) labels[LABEL.droppedPortBindings] = droppedLabel;
  return labels;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const notIn = (wanted: readonly string[] | undefined, had: readonly string[] | undefined): string[] => (wanted ?? []).filter((w) => !(had ?? []).includes(w));

/**
 * What a create may only carry when the container it clones carries it too: the actuator's last check on
 * every create it plans (successors and warm standbys alike). A clone changes one environment variable and
 * its own labels, nothing else; so the image, command and every other variable stay, and no privilege, host
 * namespace, device, capability, security option or host path appears that the source did not have.
 * Empty when the create is a faithful clone. A container that is itself privileged or host-mounted is
 * cloned as it is: this refuses only what is new (docs/docker/images-socket-tests.md, "What the actuator refuses").
 */
export function unclonedPowers(source: SourceContainer, create: Docker.ContainerCreateOptions, variable: string, managed: readonly string[] = [], candidateImage?: string): string[] {
  const problems: string[] = [];
  const was = source.HostConfig;
  const now = create.HostConfig ?? {};
  if (create.Image !== source.Config.Image && create.Image !== source.Image && (candidateImage === undefined || create.Image !== candidateImage)) problems.push(`image ${String(create.Image)} is not the container's own`);
  if (!sameJson(create.Cmd, source.Config.Cmd) || !sameJson(create.Entrypoint ?? null, source.Config.Entrypoint ?? null)) problems.push('the command differs');
  const own = [variable, ...managed].map((name) => `${name}=`);
  const others = (env: readonly string[] | undefined) => (env ?? []).filter((e) => !own.some((prefix) => e.startsWith(prefix)));
  if (!sameJson(others(create.Env), others(source.Config.Env))) problems.push(`an environment variable other than ${[variable, ...managed].join(', ')} differs`);
  if (now.Privileged === true && was.Privileged !== true) problems.push('privileged');
  for (const mode of ['NetworkMode', 'PidMode', 'IpcMode', 'UTSMode', 'UsernsMode', 'CgroupnsMode'] as const) {
    const value = (now as Record<string, unknown>)[mode];
    if (typeof value === 'string' && (value === 'host' || value.startsWith('container:')) && value !== (was as Record<string, unknown>)[mode]) problems.push(`${mode} ${value}`);
  }
  const added = [
    ...notIn(now.CapAdd, was.CapAdd).map((c) => `capability ${c}`),
    ...notIn(now.SecurityOpt, was.SecurityOpt).map((o) => `security option ${o}`),
    ...notIn(
      (now.Devices ?? []).map((d: unknown) => JSON.stringify(d)),
      (was.Devices ?? []).map((d: unknown) => JSON.stringify(d)),
    ).map((d) => `device ${d}`),
    ...notIn(now.Binds, [...(was.Binds ?? []), ...namedVolumeBinds(source)]).map((b) => `bind ${b}`),
    ...notIn(
      (now.Mounts ?? []).filter((m) => m.Type === 'bind').map((m) => `${m.Source}:${m.Target}`),
      (was.Mounts ?? []).filter((m) => m.Type === 'bind').map((m) => `${m.Source}:${m.Target}`),
    ).map((m) => `bind mount ${m}`),
  ];
  return [...problems, ...added];
}

/** The `name:/dest[:ro]` binds planVolumes re-mounts for the source's own (anonymous) volumes. */
function namedVolumeBinds(source: SourceContainer): string[] {
  return (source.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Name).map((m) => `${m.Name}:${m.Destination}${m.RW ? '' : ':ro'}`);
}

type PortBindings = Record<string, Array<{ HostIp: string; HostPort: string }>>;

/**
 * `recreate` keeps the host ports (the old container is stopped first, so they are free). `start-first`
 * cannot bind them while the old one runs: it drops them and remembers them in a label, and a later
 * `recreate` (e.g. the roll-forward) puts them back.
 */
function planPortBindings(
  source: SourceContainer,
  strategy: Strategy,
): { portBindings: PortBindings; droppedLabel?: string } {
  const current = (source.HostConfig.PortBindings ?? {}) as PortBindings;
  const hasCurrent = Object.keys(current).length > 0;
  const remembered = source.Config.Labels?.[LABEL.droppedPortBindings];
  if (strategy === 'recreate') {
    if (!hasCurrent && remembered !== undefined)
      return { portBindings: JSON.parse(remembered) as PortBindings };
    return { portBindings: current };
  }
  if (hasCurrent) return { portBindings: {}, droppedLabel: JSON.stringify(current) };
  return remembered === undefined ? { portBindings: {} } : { portBindings: {}, droppedLabel: remembered };
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function planNetworks(
  source: SourceContainer,
  networkMode: string,
  strategy: Strategy,
): { primary?: NetworkAttachment; extra: NetworkAttachment[] } {
  if (networkMode === 'host' || networkMode === 'none') return { extra: [] };
  const shortId = source.Id.slice(0, 12);
  const attachments: NetworkAttachment[] = [];
  for (const [network, settings] of Object.entries(source.NetworkSettings.Networks ?? {})) {
    // Docker adds the container's short id as an alias on user networks; the new container gets its own.
    const aliases = stringArray(settings.Aliases).filter((a) => a !== shortId && a !== source.Id);
    const links = stringArray(settings.Links);
    const ipam = settings.IPAMConfig as Docker.IPAMConfig | null | undefined;
    const hasStaticIp = Boolean(ipam && (ipam.IPv4Address || ipam.IPv6Address));
    const endpoint: Docker.EndpointSettings = {
      ...(aliases.length > 0 ? { Aliases: aliases } : {}),
      ...(links.length > 0 ? { Links: links } : {}),
      // A static IP is free again only when the old container is stopped first.
      ...(hasStaticIp && strategy === 'recreate' && ipam ? { IPAMConfig: ipam } : {}),
    };
    attachments.push({ network, endpoint });
  }
  const wanted = networkMode === 'default' ? 'bridge' : networkMode;
  const primaryIndex = Math.max(
    0,
    attachments.findIndex((a) => a.network === wanted),
  );
  const primary = attachments[primaryIndex];
  const extra = attachments.filter((_, i) => i !== primaryIndex);
  return primary ? { primary, extra } : { extra };
}

/**
 * Binds and HostConfig.Mounts carry over as they are. Anonymous volumes (from `-v /path`, `--mount`
 * without a source, or the image's VOLUME) are not in either list by name: re-mount them by name so the
 * new container sees the same data instead of a fresh empty volume.
 */
function planVolumes(source: SourceContainer): Pick<Docker.HostConfig, 'Binds' | 'Mounts'> {
  const binds = [...(source.HostConfig.Binds ?? [])];
  const mounts = (source.HostConfig.Mounts ?? []).map((m) => ({ ...m }));
  const coveredByBind = new Set(binds.map((b) => bindDestination(b)));
  for (const actual of source.Mounts ?? []) {
    if (actual.Type !== 'volume' || !actual.Name) continue;
    const spec = mounts.find((m) => m.Target === actual.Destination);
    if (spec) {
      if (spec.Type === 'volume' && !spec.Source) spec.Source = actual.Name;
      continue;
    }
    if (coveredByBind.has(actual.Destination)) continue;
    binds.push(`${actual.Name}:${actual.Destination}${actual.RW ? '' : ':ro'}`);
  }
  return {
    ...(binds.length > 0 ? { Binds: binds } : {}),
    ...(mounts.length > 0 ? { Mounts: mounts } : {}),
  };
}

/** `src:dst[:mode]` → dst. Windows drive letters do not occur on a Linux engine. */
function bindDestination(bind: string): string {
  const parts = bind.split(':');
  return parts[1] ?? parts[0] ?? bind;
}
