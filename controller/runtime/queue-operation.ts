import type { OperationView } from '../ports/controller.js';
import type { RuntimeContext } from './context.js';

/**
 * Runs an accepted operation's work on its target's queue (one queue per target: it waits for the tick or
 * switch in progress). A throw never escapes into the caller's fire-and-forget: it is logged with `what`
 * and the operation ends `failed` with the error's message, so the API's operation view says so.
 */
export function queueOperation(ctx: RuntimeContext, target: string, op: OperationView, work: () => Promise<void>, what: string): Promise<void> {
  return ctx.queues
    .for(target)
    .run(work)
    .catch((error: unknown) => {
      ctx.ports.logger.error({ target, operation: op.id, err: error }, what);
      ctx.operations.update(op.id, 'failed', error instanceof Error ? error.message : String(error));
    });
}
