// rollforward.candidates, checked: the allow-list of what an operator may set as the next shadow candidate
// (docs/policies/reasons-and-reference.md, "Candidates"; docs/security.md). An API token must never become arbitrary code in a
// container, so the list is narrow by construction: an image pattern names its repository in full (only
// the tag or digest may be a pattern), and the variables that choose the variant or wire the mirroring are
// Guardrail's own and never settable.
import picomatch from 'picomatch';
import type { CandidateAllowList } from '../../core/policy.js';
import type { Checker } from './checker.js';
import type { RawPolicy, RawRollforward } from './raw.js';

export const CANDIDATE_ENV_KEY = /^[A-Z_][A-Z0-9_]*$/;
/** Set by Guardrail on the serving baseline (docs/service/shadow-and-metrics.md, "Shadow mirroring"): never a candidate's. */
const GUARDRAIL_PREFIX = 'SHADOW_';
const EXAMPLE = 'registry.example.com/team/prediction-service:1.4.*';

/** The repository part of an image reference or pattern: before `@digest`, or before the tag's `:`. */
export function repositoryOf(reference: string): string {
  const at = reference.indexOf('@');
  if (at >= 0) return reference.slice(0, at);
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? reference.slice(0, colon) : reference;
}

function imagePatterns(c: Checker, images: readonly string[] | undefined): readonly string[] {
  (images ?? []).forEach((pattern, i) => {
    const path = ['rollforward', 'candidates', 'images', i] as const;
    const repository = repositoryOf(pattern);
    if (/\s/.test(pattern)) c.fail([...path], `rollforward.candidates.images: "${pattern}" holds white space; an image reference has none`);
    else if (repository === '' || picomatch.scan(repository).isGlob) {
      c.fail([...path], `rollforward.candidates.images: "${pattern}" leaves the repository open ("${repository}"): write the repository out, only the tag or digest may be a pattern, e.g. ${EXAMPLE}`);
    }
  });
  return images ?? [];
}

function envPatterns(c: Checker, raw: RawPolicy, env: Readonly<Record<string, readonly string[]>> | undefined): Readonly<Record<string, readonly string[]>> {
  const out: Record<string, readonly string[]> = {};
  for (const [key, patterns] of Object.entries(env ?? {})) {
    const path = ['rollforward', 'candidates', 'env', key] as const;
    if (!CANDIDATE_ENV_KEY.test(key)) c.fail([...path], `rollforward.candidates.env: "${key}" is not an environment variable name (${CANDIDATE_ENV_KEY.source})`, 'key');
    else if (key === raw.target.variable || key === 'MODEL_VARIANT') {
      c.fail([...path], `rollforward.candidates.env: ${key} chooses the variant and is Guardrail's alone: a candidate always runs the target's normal value`, 'key');
    } else if (key.startsWith(GUARDRAIL_PREFIX)) {
      c.fail([...path], `rollforward.candidates.env: ${key} wires the shadow mirroring and is set by Guardrail, never by a candidate`, 'key');
    } else if (patterns.length === 0) {
      c.fail([...path], `rollforward.candidates.env: ${key} has no pattern: list the values a candidate may give it, or leave it out`);
    }
    out[key] = patterns;
  }
  return out;
}

/** The allow-list, or undefined when the policy has none (no candidate can be set). */
export function candidatesOf(c: Checker, raw: RawPolicy, rf: RawRollforward, hasShadow: boolean): CandidateAllowList | undefined {
  const given = rf.candidates;
  if (given === undefined) return undefined;
  if (!hasShadow) {
    c.fail(['rollforward', 'candidates'], 'rollforward.candidates needs a shadow (rollforward.shadow or gate): a candidate is shadowed and gated before it serves', 'key');
  }
  const allowList = { images: imagePatterns(c, given.images), env: envPatterns(c, raw, given.env) };
  if (allowList.images.length === 0 && Object.keys(allowList.env).length === 0) {
    c.fail(['rollforward', 'candidates'], 'rollforward.candidates allows nothing: list image patterns (images) or variables with value patterns (env), or leave it out', 'key');
  }
  return allowList;
}
