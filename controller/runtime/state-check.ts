import { ALL_PHASES, type Policy, type VariantValue } from '../core/index.js';
import { refuseCandidate } from './candidate-allow.js';
import type { RuntimeState } from './runtime-state.js';

// A state file is checked against the policies before it is trusted: its shape is checked when it is read
// (runtime-state.ts), its meaning here. A phase this build does not know, a value the policy does not
// name, or a rollback id that is not this target's would otherwise be acted on (an unknown phase made
// every tick log "no fallback"; any string became MODEL_VARIANT). Any problem is safe mode (restore.ts).

const NEEDS_ROLLBACK: readonly string[] = ['rolling_back', 'rolled_back', 'partially_rolled_back', 'rolling_forward'];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function rollbackIdOk(policy: Policy, id: unknown): boolean {
  return typeof id === 'string' && new RegExp(`^(rb|oob)-${escape(policy.target.name)}-\\d+$`).test(id);
}

function valueText(value: unknown): string {
  return value === null ? 'null (variable absent)' : JSON.stringify(value);
}

function valueOk(policy: Policy, value: unknown): value is VariantValue {
  return value === policy.target.normalValue || value === policy.target.rollbackValue;
}

function targetProblems(policy: Policy, state: RuntimeState): string[] {
  const name = policy.target.name;
  const values = `${valueText(policy.target.normalValue)} or ${valueText(policy.target.rollbackValue)}`;
  const problems: string[] = [];
  const target = state.targets[name];
  if (target !== undefined) {
    if (!ALL_PHASES.includes(target.phase)) problems.push(`target ${name}: unknown phase ${JSON.stringify(target.phase)} (known: ${ALL_PHASES.join(', ')})`);
    const rollback = target.rollback as unknown;
    if (rollback !== null && rollback !== undefined) {
      const id = (rollback as { rollbackId?: unknown }).rollbackId;
      if (!rollbackIdOk(policy, id)) problems.push(`target ${name}: rollback id ${JSON.stringify(id)} is not one of this target's (rb-${name}-<ms>)`);
    } else if (NEEDS_ROLLBACK.includes(target.phase)) {
      problems.push(`target ${name}: phase ${target.phase} without its rollback record`);
    }
  }
  if (name in state.variants && !valueOk(policy, state.variants[name])) {
    problems.push(`target ${name}: runs ${valueText(state.variants[name])}, which policy ${policy.name} does not name (${values})`);
  }
  const flight = state.inFlight[name];
  if (flight !== undefined) {
    if (!valueOk(policy, flight.value)) problems.push(`target ${name}: a switch in flight to ${valueText(flight.value)}, which policy ${policy.name} does not name (${values})`);
    if (flight.action !== 'rollback' && flight.action !== 'rollforward') problems.push(`target ${name}: a switch in flight with unknown action ${JSON.stringify(flight.action)}`);
    if (!rollbackIdOk(policy, flight.rollbackId)) problems.push(`target ${name}: switch in flight with rollback id ${JSON.stringify(flight.rollbackId)}, not one of this target's`);
  }
  return [...problems, ...candidateProblems(policy, state)];
}

/**
 * A candidate not yet promoted runs only in the shadow, and only if the policy allows it: one the policy
 * (now) refuses is a problem, like a value the policy does not name. A promoted one serves already; only
 * the variables that are Guardrail's are checked for it (a policy may stop allowing what once served).
 */
function candidateProblems(policy: Policy, state: RuntimeState): string[] {
  const name = policy.target.name;
  const candidate = state.candidates?.[name];
  if (candidate === undefined) return [];
  const reserved = Object.keys(candidate.env).filter((k) => k === policy.target.variable || k === 'MODEL_VARIANT' || k.startsWith('SHADOW_'));
  if (reserved.length > 0) return [`target ${name}: the candidate sets ${reserved.join(', ')}, which only Guardrail sets`];
  if (candidate.promotedAtMs !== undefined) return [];
  const refusal = refuseCandidate(policy, policy.name, candidate);
  return refusal === null ? [] : [`target ${name}: the candidate in the state file is refused: ${refusal.detail}`];
}

/** What in a loaded state the policies cannot accept; empty when it can be trusted. Targets no policy names are left alone. */
export function stateProblems(state: RuntimeState, policies: readonly Policy[]): string[] {
  return policies.flatMap((policy) => targetProblems(policy, state));
}
