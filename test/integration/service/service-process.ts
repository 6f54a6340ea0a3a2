// Runs the real compiled service (node dist/service/main.js) as a child process (test/helpers/node-child.ts).
import { fileURLToPath } from 'node:url';
import { buildServiceDist, startNodeChild, type NodeChild } from '../../helpers/node-child.js';

export { PACKAGE_ROOT } from '../../helpers/node-child.js';
export const MAIN_JS = fileURLToPath(new URL('../../../dist/service/main.js', import.meta.url));

export type ServiceProcess = NodeChild;

export function buildService(): Promise<void> {
  return buildServiceDist(MAIN_JS);
}

export function startService(env: Record<string, string>, nodeArgs: readonly string[] = []): ServiceProcess {
  return startNodeChild(MAIN_JS, { what: 'service', listeningMessage: 'prediction service listening', env, nodeArgs });
}
