import type { Alert } from '../core/index.js';

// The WARNING a failed policy load raises: an edit that does not load must reach a person, not only the
// log. It names the first problem's file:line:col; the description lists them all. The previous set stays
// active (all-or-nothing); a later successful load resolves the alert.

const SHOWN_ERRORS = 20;

export function policyReloadFailedAlert(errors: readonly string[], activePolicies: number, sinceMs: number): Alert {
  const first = errors[0] ?? 'unknown error';
  const keeps =
    activePolicies === 0
      ? 'no policy is loaded: Guardrail guards nothing until the files load'
      : `the previous ${activePolicies} ${activePolicies === 1 ? 'policy stays' : 'policies stay'} active`;
  const listed = errors.slice(0, SHOWN_ERRORS).join('\n');
  const more = errors.length > SHOWN_ERRORS ? `\n… and ${errors.length - SHOWN_ERRORS} more` : '';
  return {
    dedupKey: 'policy-reload-failed',
    name: 'GuardrailPolicyReloadFailed',
    severity: 'warning',
    target: 'guardrail',
    summary: `Policy load failed at ${first}; ${keeps}`,
    description: `${errors.length} problem(s); fix the file(s), they reload on save (or SIGHUP):\n${listed}${more}`,
    labels: { component: 'guardrail' },
    startsAtMs: sinceMs,
  };
}
