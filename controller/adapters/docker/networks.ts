// Making a container's network endpoints match a clone plan: every network attached, with the plan's
// aliases. A freshly created successor only misses the networks API 1.41 cannot attach at create; a warm
// standby (docker-standby.ts) sits on its network WITHOUT the service's aliases — that is what keeps it out
// of the traffic — and gets them only when it takes over. Docker 20.10 cannot change an endpoint's aliases,
// so such an endpoint is disconnected and connected again with them.
import type Docker from 'dockerode';
import type { ClonePlan, NetworkAttachment, SourceContainer } from './clone-config.js';

/** Every network of a plan, the one it attaches at create first. */
export function planAttachments(plan: ClonePlan): NetworkAttachment[] {
  const atCreate = Object.entries(plan.create.NetworkingConfig?.EndpointsConfig ?? {}).map(
    ([network, endpoint]) => ({ network, endpoint }),
  );
  return [...atCreate, ...plan.extraNetworks];
}

function aliasesOf(endpoint: Docker.EndpointSettings | undefined): readonly string[] {
  const aliases: unknown = endpoint?.Aliases;
  return Array.isArray(aliases) ? aliases.filter((a): a is string => typeof a === 'string') : [];
}

/** The same attachment without its aliases: how a warm standby joins the service's network. */
export function withoutAliases(attachment: NetworkAttachment): NetworkAttachment {
  const { Aliases: _dropped, ...endpoint } = attachment.endpoint;
  return { network: attachment.network, endpoint };
}

/**
 * Connects `info` to every network of `attachments` it is not on, and re-connects it where it lacks one of
 * the attachment's aliases. Returns the networks it changed (empty when all was in place already).
 */
export async function ensureAttachments(
  docker: Docker,
  info: SourceContainer,
  attachments: readonly NetworkAttachment[],
): Promise<string[]> {
  const attached = info.NetworkSettings.Networks ?? {};
  const changed: string[] = [];
  for (const { network, endpoint } of attachments) {
    const current = attached[network];
    if (current !== undefined) {
      const has = new Set(aliasesOf(current));
      if (aliasesOf(endpoint).every((alias) => has.has(alias))) continue;
      await docker.getNetwork(network).disconnect({ Container: info.Id });
    }
    await docker.getNetwork(network).connect({ Container: info.Id, EndpointConfig: endpoint });
    changed.push(network);
  }
  return changed;
}
