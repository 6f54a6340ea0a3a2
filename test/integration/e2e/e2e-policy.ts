// Generates the e2e tests' policy from the stack's policy (docker/controller/policies/prediction-service.yaml,
// itself the shipped policy with `verify.via: container-ip`): the same reasons, vetoes and thresholds, with
// every window and `for` scaled down so a fault is acted on in seconds, the target moved to the test's
// compose project, and the strategy/services/warning timing the scenario needs. Generated at test time,
// so it can never drift from the policy the stack really ships.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { REPO } from './e2e-compose.js';

export const STACK_POLICY = join(REPO, 'docker/controller/policies/prediction-service.yaml');

/** The scaled-down timing every e2e policy shares; tests derive their deadlines from it. */
export const E2E_TIMING = {
  intervalS: 2,
  /** The rate / minRequests window that replaces the shipped 1m and 5m windows. */
  windowS: 15,
  forS: 6,
  blindAfterTicks: 3,
  minRequests: 10,
} as const;

export interface E2ePolicyOptions {
  readonly project: string;
  readonly services: readonly string[];
  readonly strategy?: 'recreate' | 'start-first';
  /** false: no warm standby (the stack policy keeps one for the api); also dropped under `recreate`. */
  readonly warmStandby?: false;
  readonly warnAfter?: string;
  readonly warnEvery?: string;
  /**
   * The stack policy's roll-forward shadow and gate, with the e2e window and minRequests and this gate `for`
   * (default 10s). Absent: `rollforward: {mode: manual}`, so a scenario's manual roll-forward is not judged
   * by a candidate it did not set up.
   */
  readonly shadow?: { readonly for?: string };
}

function scaleRollforward(doc: ReturnType<typeof parseDocument>, options: E2ePolicyOptions): void {
  if (options.shadow === undefined) {
    doc.set('rollforward', doc.createNode({ mode: 'manual' }));
    return;
  }
  const services = doc.getIn(['rollforward', 'shadow', 'services']);
  const kept = isSeq(services) ? services.items.map(String).filter((name) => options.services.includes(name)) : [];
  if (kept.length === 0) throw new Error(`${STACK_POLICY}: no shadowed service among ${options.services.join(', ')}`);
  doc.setIn(['rollforward', 'shadow', 'services'], doc.createNode(kept));
  doc.setIn(['rollforward', 'gate', 'window'], `${E2E_TIMING.windowS}s`);
  doc.setIn(['rollforward', 'gate', 'minRequests'], E2E_TIMING.minRequests);
  doc.setIn(['rollforward', 'gate', 'for'], options.shadow.for ?? '10s');
}

export function generateE2ePolicy(options: E2ePolicyOptions): string {
  const doc = parseDocument(readFileSync(STACK_POLICY, 'utf8'));
  const window = `[${E2E_TIMING.windowS}s]`;
  // Every rate/increase window ([30s], [1m], [5m], [30m] ...) becomes the e2e window. Left alone: the
  // slow burn's `offset 30m` history check (a fresh e2e stack never has 30 minutes, so that reason stays
  // quiet and the faster reasons decide, as in the first half hour of a real stack) and model-not-loaded's
  // 10-minute memory of which jobs served a model (max_over_time: not a rate window).
  const scale = (query: string): string => (/\b(rate|increase)\(/.test(query) ? query.replaceAll(/\[\d+[smhd]\]/g, window) : query);

  doc.setIn(['target', 'compose', 'project'], options.project);
  doc.setIn(['target', 'compose', 'services'], doc.createNode([...options.services]));
  if (options.strategy !== undefined) doc.setIn(['target', 'strategy'], options.strategy);
  // The stack policy's standby list names services; keep those the test switches, none under recreate.
  const standby = doc.getIn(['target', 'warmStandby']);
  const kept = isSeq(standby) ? standby.items.map(String).filter((name) => options.services.includes(name)) : [];
  if (options.warmStandby === false || options.strategy === 'recreate' || kept.length === 0) doc.deleteIn(['target', 'warmStandby']);
  else doc.setIn(['target', 'warmStandby'], doc.createNode(kept));
  doc.setIn(['evaluation', 'interval'], `${E2E_TIMING.intervalS}s`);
  doc.setIn(['evaluation', 'blindAfter'], E2E_TIMING.blindAfterTicks);
  doc.setIn(['evaluation', 'minRequests', 'query'], scale(String(doc.getIn(['evaluation', 'minRequests', 'query']))));
  doc.setIn(['evaluation', 'minRequests', 'min'], E2E_TIMING.minRequests);
  doc.setIn(['evaluation', 'minRequests', 'window'], `${E2E_TIMING.windowS}s`);

  const reasons = doc.get('reasons');
  if (!isSeq(reasons)) throw new Error(`${STACK_POLICY}: reasons is not a list`);
  const scaleCondition = (condition: unknown): void => {
    if (!isMap(condition)) return;
    const query = condition.get('query');
    if (typeof query === 'string') condition.set('query', scale(query));
    if (condition.has('for')) condition.set('for', `${E2E_TIMING.forS}s`);
  };
  for (const reason of reasons.items) {
    scaleCondition(reason);
    // Multiwindow reasons (allOf: long AND short window): each condition scaled the same way.
    const allOf = isMap(reason) ? reason.get('allOf') : undefined;
    if (isSeq(allOf)) allOf.items.forEach(scaleCondition);
  }
  // A scenario may roll back by hand just before an automatic rollback is expected: no long cooldown.
  doc.setIn(['limits', 'cooldown'], '5s');
  doc.setIn(['limits', 'maxRollbacksPerHour'], 20);
  scaleRollforward(doc, options);
  if (options.warnAfter !== undefined) doc.set('warnAfter', options.warnAfter);
  if (options.warnEvery !== undefined) doc.set('warnEvery', options.warnEvery);
  doc.commentBefore = ` GENERATED by test/integration/e2e/e2e-policy.ts from ${STACK_POLICY} for an e2e test; do not edit.`;
  return doc.toString();
}
