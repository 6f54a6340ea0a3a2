// Whether the policy allows a candidate (rollforward.candidates, checked by the loader in
// adapters/policy/candidates.ts): every part of it must match, anchored, one of the policy's glob patterns
// (picomatch: `*` stops at `/`, so `registry/team/svc:1.*` never admits another repository). Anything else
// is refused with what the policy file allows, so the operator's token never becomes an arbitrary image or
// environment (docs/security.md).
import picomatch from 'picomatch';
import type { CandidateSpec, Policy } from '../core/index.js';

export interface CandidateRefusal {
  /** `malformed`: not an image reference, or a value with a control character; `not_allowed`: the policy refuses it. */
  readonly kind: 'malformed' | 'not_allowed';
  /** One sentence: what is not allowed, by which policy file, and what is. */
  readonly detail: string;
  /** The policy's allow-list as written (empty when it has none). */
  readonly allowed: { readonly images: readonly string[]; readonly env: Readonly<Record<string, readonly string[]>> };
}

/** Docker's reference grammar, loosely: [host[:port]/]path[:tag][@algo:hex]; no white space or control character. */
const IMAGE_REFERENCE = /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[a-z0-9]+:[a-f0-9]{32,})?$/;

function matches(patterns: readonly string[], value: string): boolean {
  return patterns.some((pattern) => picomatch.isMatch(value, pattern, { dot: true }));
}

function list(patterns: readonly string[]): string {
  return patterns.length === 0 ? 'none' : patterns.map((p) => `"${p}"`).join(', ');
}

/** Null when `candidate` is allowed by `policy` (from `policyFile`), else why not. */
export function refuseCandidate(policy: Policy, policyFile: string, candidate: CandidateSpec): CandidateRefusal | null {
  const allowList = policy.rollforward.candidates;
  const allowed = { images: allowList?.images ?? [], env: allowList?.env ?? {} };
  const refuse = (detail: string, kind: CandidateRefusal['kind'] = 'not_allowed'): CandidateRefusal => ({ kind, detail, allowed });
  if (allowList === undefined) {
    return refuse(`policy ${policyFile} allows no candidate: add rollforward.candidates (image and environment patterns) to it to allow one`);
  }
  if (candidate.image !== undefined && !IMAGE_REFERENCE.test(candidate.image)) {
    return refuse(`"${candidate.image}" is not an image reference (e.g. registry.example.com/team/prediction-service:1.4.2 or ...@sha256:<digest>)`, 'malformed');
  }
  if (candidate.image !== undefined && !matches(allowList.images, candidate.image)) {
    return refuse(`image "${candidate.image}" is not allowed by rollforward.candidates.images in ${policyFile} (allowed: ${list(allowList.images)})`);
  }
  for (const [key, value] of Object.entries(candidate.env)) {
    if (key === policy.target.variable || key === 'MODEL_VARIANT') {
      return refuse(`${key} chooses the variant and is Guardrail's alone: a candidate never sets it (policy ${policyFile})`);
    }
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    if (/[\u0000-\u001f\u007f]/.test(value)) return refuse(`${key}: its value holds a control character (a newline?); refused`, 'malformed');
    const patterns = allowList.env[key];
    if (patterns === undefined) {
      return refuse(`environment variable ${key} is not allowed by rollforward.candidates.env in ${policyFile} (allowed: ${Object.keys(allowList.env).join(', ') || 'none'})`);
    }
    if (!matches(patterns, value)) return refuse(`${key}=${JSON.stringify(value)} is not allowed by rollforward.candidates.env.${key} in ${policyFile} (allowed: ${list(patterns)})`);
  }
  return null;
}
