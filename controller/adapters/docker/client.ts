// One place that builds the dockerode client. The API version is pinned because the Engine here is
// 20.10 (API 1.41) while newer clients default to newer APIs the daemon refuses.
//
// Where Docker is: DOCKER_HOST, as the docker CLI reads it (`tcp://docker-proxy:2375` in the stack: the
// filtering proxy of docker/socket-proxy/, docs/docker.md; or `unix:///path`), else DOCKER_SOCKET, else
// /var/run/docker.sock. Plain TCP only: the proxy listens on a network only the controller shares.
import Docker from 'dockerode';

export const DOCKER_API_VERSION = 'v1.41';

type Env = Readonly<Record<string, string | undefined>>;

/** dockerode options for DOCKER_HOST / DOCKER_SOCKET; throws on a DOCKER_HOST it cannot use. */
export function dockerConnection(env: Env = process.env): Docker.DockerOptions {
  const host = env['DOCKER_HOST']?.trim();
  if (host === undefined || host === '') return { socketPath: env['DOCKER_SOCKET'] ?? '/var/run/docker.sock', version: DOCKER_API_VERSION };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length), version: DOCKER_API_VERSION };
  const match = /^(?:tcp|http):\/\/([^:/]+|\[[^\]]+\])(?::(\d{1,5}))?\/?$/.exec(host);
  if (match === null) throw new Error(`DOCKER_HOST="${host}": expected tcp://host:port or unix:///path`);
  return { protocol: 'http', host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port: Number(match[2] ?? 2375), version: DOCKER_API_VERSION };
}

export function createDockerClient(env: Env = process.env): Docker {
  return new Docker(dockerConnection(env));
}

/** dockerode rejects with the Engine's HTTP status in `statusCode`. */
export function dockerStatus(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const status = (error as { statusCode: unknown }).statusCode;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}
