import type { ServiceSpec } from '../../../controller/core/index.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Actuator } from '../../../controller/ports/actuator.js';
import { sleep } from './stats.js';

// Waits until a target's warm standby could take over: the actuator lists it (role `standby`), Docker says
// it runs, and it answers /health 200 and /version with the expected variant on its container IP (it has no
// published port, and the host reaches bridge IPs). The runtime creates the standby on one of its ticks,
// so a benchmark that injects a fault before this would measure a switch without one.

const run = promisify(execFile);

export interface ReadyStandby {
  readonly name: string;
  readonly ip: string;
  readonly waitedMs: number;
}

async function containerIps(id: string): Promise<string[]> {
  const { stdout } = await run('docker', [
    'inspect',
    '-f',
    '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}',
    id,
  ]);
  return stdout
    .split(' ')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

async function answers(baseUrl: string, target: ServiceSpec, variant: string): Promise<boolean> {
  const { healthPath, versionPath, variantField } = target.verify;
  try {
    const health = await fetch(`${baseUrl}${healthPath}`, { signal: AbortSignal.timeout(1000) });
    await health.arrayBuffer();
    if (health.status !== 200) return false;
    const version = await fetch(`${baseUrl}${versionPath}`, { signal: AbortSignal.timeout(1000) });
    const body: unknown = await version.json();
    return (
      typeof body === 'object' && body !== null && (body as Record<string, unknown>)[variantField] === variant
    );
  } catch {
    return false;
  }
}

export async function waitStandbyReady(
  actuator: Actuator,
  target: ServiceSpec,
  variant: string,
  timeoutMs: number,
): Promise<ReadyStandby> {
  const started = Date.now();
  let seen = 'no standby listed yet';
  while (Date.now() - started < timeoutMs) {
    const state = await actuator.inspect(target);
    const standby = state.instances.find((i) => i.role === 'standby' && i.running);
    if (standby !== undefined) {
      seen = `${standby.name} runs, not answering ${variant} yet`;
      for (const ip of await containerIps(standby.id).catch(() => [])) {
        if (await answers(`http://${ip}:${target.verify.port}`, target, variant))
          return { name: standby.name, ip, waitedMs: Date.now() - started };
      }
    }
    await sleep(200);
  }
  throw new Error(`${target.name}: no ready warm standby after ${timeoutMs} ms (${seen})`);
}
