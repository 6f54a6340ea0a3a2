// Global set-up of the vitest project `swarm` (docs/testing.md): the Swarm tests need this Docker Engine to
// be a swarm manager. An active swarm is used as it is and left alone; otherwise a single-node swarm is
// initialised here (advertised on 127.0.0.1, as docs/swarm.md does) and left again in the teardown, at the
// very end of `npm test`, after the compose tests: leaving a swarm breaks the DNS of running containers
// on attachable networks, which the compose tests use.
import { createDockerClient } from '../../controller/adapters/docker/client.js';

const docker = createDockerClient();
let initialisedHere = false;

async function swarmState(): Promise<string> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  const state = info.Swarm?.LocalNodeState ?? 'inactive';
  if (state === 'active' && info.Swarm?.ControlAvailable !== true) {
    throw new Error(
      'this Docker Engine is a swarm worker, not a manager: the Swarm tests need a manager node',
    );
  }
  return state;
}

export async function setup(): Promise<void> {
  const state = await swarmState();
  if (state === 'active') return;
  if (state !== 'inactive') throw new Error(`swarm state ${state}: expected active or inactive`);
  await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
  initialisedHere = true;
  console.log('swarm tests: initialised a single-node swarm on 127.0.0.1 (left again after the tests)');
}

export async function teardown(): Promise<void> {
  if (!initialisedHere || process.env['SWARM_KEEP'] === '1') return;
  await docker.swarmLeave({ force: true });
  console.log('swarm tests: left the swarm they initialised');
}
