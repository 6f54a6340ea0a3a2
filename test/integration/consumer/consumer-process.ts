// Runs the real compiled consumer (node dist/service/consumer/main.js) as a child process
// (test/helpers/node-child.ts).
import { fileURLToPath } from 'node:url';
import { buildServiceDist, startNodeChild, type NodeChild } from '../../helpers/node-child.js';

export { PACKAGE_ROOT } from '../../helpers/node-child.js';
export const CONSUMER_JS = fileURLToPath(new URL('../../../dist/service/consumer/main.js', import.meta.url));

export type ConsumerProcess = NodeChild;

export function buildConsumer(): Promise<void> {
  return buildServiceDist(CONSUMER_JS);
}

export function startConsumer(env: Record<string, string>): ConsumerProcess {
  return startNodeChild(CONSUMER_JS, { what: 'consumer', listeningMessage: 'prediction consumer listening', env: { LOG_LEVEL: 'info', ...env }, maxLines: 5_000 });
}
