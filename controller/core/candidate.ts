// A candidate the operator asks the shadow to run instead of the serving image's normal value (issue #19,
// `guardrail rollforward TARGET --candidate REF`): an image reference, environment entries, or both. This is
// its shape and the parsing of the CLI's repeatable `--candidate` words; whether the policy allows it is
// runtime/candidate-allow.ts (the policy's rollforward.candidates).

export interface CandidateSpec {
  /** The image the candidate runs instead of the serving container's image. */
  readonly image?: string;
  /** Environment entries set on the candidate (on top of the serving container's). */
  readonly env: Readonly<Record<string, string>>;
}

/** An environment entry's key: what `KEY=VALUE` must start with to be read as one (else it is an image). */
export const CANDIDATE_ENV_ENTRY = /^([A-Z_][A-Z0-9_]*)=(.*)$/s;

/**
 * The `--candidate` words, in order: `KEY=VALUE` (KEY matching /^[A-Z_][A-Z0-9_]*$/) is an environment
 * entry, anything else an image reference; at most one image, each key once. An error says which word.
 */
export function parseCandidateRefs(refs: readonly string[]): CandidateSpec | { readonly error: string } {
  let image: string | undefined;
  const env: Record<string, string> = {};
  for (const ref of refs) {
    const entry = CANDIDATE_ENV_ENTRY.exec(ref);
    if (entry !== null) {
      const [, key = '', value = ''] = entry;
      if (key in env) return { error: `--candidate ${key}= is given twice (${JSON.stringify(env[key])} and ${JSON.stringify(value)}): give each variable once` };
      env[key] = value;
    } else if (ref.trim() === '') {
      return { error: '--candidate needs a value: an image reference or KEY=VALUE' };
    } else if (image !== undefined) {
      return { error: `--candidate "${ref}": an image is given already ("${image}"); at most one image (KEY=VALUE entries are read as environment, with KEY in capitals)` };
    } else {
      image = ref;
    }
  }
  if (image === undefined && Object.keys(env).length === 0) return { error: '--candidate needs a value: an image reference or KEY=VALUE' };
  return image === undefined ? { env } : { image, env };
}
