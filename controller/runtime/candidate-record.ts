import type { CandidateSpec, Policy, ServiceSpec } from '../core/index.js';
import type { OperationView } from '../ports/controller.js';
import type { RuntimeContext } from './context.js';
import { maintainOne } from './shadow-keeper.js';

// The tail that setting and clearing a candidate share (candidate-ops.ts, candidate-clear.ts): the history's
// start entry, the shadows replaced at once with what they run now, and the end entry and the operation's
// outcome, whose words the caller chooses from what the shadows did.

export interface CandidateChange {
  readonly policy: Policy;
  readonly target: string;
  readonly op: OperationView;
  readonly historyId: string;
  readonly actor: string;
  readonly reason: string;
  readonly atMs: number;
  /** The candidate set, for the history's start entry; absent when one is cleared. */
  readonly recorded?: { readonly image: string | null; readonly env: Readonly<Record<string, string>> } | undefined;
  /** The services whose shadow is replaced now (none while no shadow runs). */
  readonly shadowed: readonly ServiceSpec[];
  /** What the shadows run from now on: the candidate, or undefined for the image's own ML. */
  readonly runs: CandidateSpec | undefined;
  /** The end entry's and the operation's notes, from the shadows' reports joined and whether one failed. */
  readonly notes: (shown: string, failed: boolean) => string;
}

export async function recordCandidateChange(ctx: RuntimeContext, change: CandidateChange): Promise<void> {
  const { policy, target, historyId, atMs } = change;
  const trigger = { kind: 'manual', actor: change.actor, reason: change.reason } as const;
  const evidence = { policy: policy.name, reason: 'manual', trigger, conditions: [], atMs };
  const candidate = change.recorded === undefined ? {} : { candidate: change.recorded };
  const { history } = ctx.ports;
  await history.append({ kind: 'start', id: historyId, target, policy: policy.name, action: 'candidate', trigger, reason: change.reason, evidence, atMs, ...candidate });
  const reports = [];
  for (const service of change.shadowed) reports.push(await maintainOne(ctx, policy, service, true, change.runs));
  const shown = reports.map((r) => `${r.target}: shadow ${r.state} (${[...r.actions, r.detail].join('; ')})`).join('; ');
  const failed = reports.some((r) => r.state === 'failed');
  const notes = change.notes(shown, failed);
  await history.append({ kind: 'end', id: historyId, target, result: failed ? 'failed' : 'succeeded', notes, atMs: ctx.ports.now() });
  ctx.operations.update(change.op.id, failed ? 'failed' : 'done', notes);
}
