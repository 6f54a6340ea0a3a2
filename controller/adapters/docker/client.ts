// One place that builds the dockerode client. The API version is pinned because the Engine here is
// 20.10 (API 1.41) while newer clients default to newer APIs the daemon refuses.
import Docker from 'dockerode';

export const DOCKER_API_VERSION = 'v1.41';

export function createDockerClient(
  socketPath = process.env['DOCKER_SOCKET'] ?? '/var/run/docker.sock',
): Docker {
  return new Docker({ socketPath, version: DOCKER_API_VERSION });
}

/** dockerode rejects with the Engine's HTTP status in `statusCode`. */
export function dockerStatus(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const status = (error as { statusCode: unknown }).statusCode;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}
