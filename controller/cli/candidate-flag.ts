// `guardrail rollforward TARGET --candidate REF` (repeatable): set the shadow's candidate instead of rolling
// forward (issue #19). Each REF is `KEY=VALUE` (environment) or an image reference, at most one image
// (core/candidate.ts parseCandidateRefs); the controller checks them against the policy's allow-list.
// `--clear-candidate` forgets a candidate not promoted yet (runtime/candidate-clear.ts).
import type { Command } from 'commander';
import { parseCandidateRefs } from '../core/index.js';
import type { CandidateView } from '../ports/controller.js';
import { CliUsageError } from './cli-run.js';
import { writeOut } from './terminal.js';

export interface CandidateFlags {
  readonly candidate?: readonly string[];
  readonly clearCandidate?: boolean;
  readonly force?: boolean;
}

function collect(value: string, previous: readonly string[]): readonly string[] {
  return [...previous, value];
}

export function withCandidateOption(command: Command): Command {
  return command.option(
    '--candidate <ref>',
    'set the shadow\'s candidate instead of rolling forward: an image reference or KEY=VALUE (repeatable; at most one image); it is shadowed and gated before it serves',
    collect,
    [],
  ).option('--clear-candidate', 'forget the candidate set with --candidate and not promoted yet: the shadow runs the image\'s own ML again (no roll-forward)');
}

/**
 * The request body's candidate: undefined without --candidate, null for --clear-candidate; a usage error for
 * bad words, both flags, or --force beside either.
 */
export function checkCandidate(flags: CandidateFlags): { readonly image?: string; readonly env?: Readonly<Record<string, string>> } | null | undefined {
  const refs = flags.candidate ?? [];
  if (flags.clearCandidate === true) {
    if (refs.length > 0) throw new CliUsageError('--clear-candidate forgets the candidate and --candidate sets one: give one or the other');
    if (flags.force === true) throw new CliUsageError('--force applies to a roll-forward; --clear-candidate does not roll forward: give one or the other');
    return null;
  }
  if (refs.length === 0) return undefined;
  if (flags.force === true) throw new CliUsageError('--force applies to a roll-forward; --candidate does not roll forward (the candidate is shadowed and gated first): give one or the other');
  const parsed = parseCandidateRefs(refs);
  if ('error' in parsed) throw new CliUsageError(parsed.error);
  const env = Object.keys(parsed.env).length === 0 ? {} : { env: parsed.env };
  return parsed.image === undefined ? env : { image: parsed.image, ...env };
}

/** What was set, and that it is gated before it serves (on stdout; --json prints it as `candidate` beside the operation). */
export function printCandidateSet(target: string, candidate: CandidateView): void {
  const parts = [...(candidate.image === null ? [] : [`image ${candidate.image}`]), ...Object.entries(candidate.env).map(([k, v]) => `${k}=${v}`)];
  writeOut(`Candidate for ${target} set by ${candidate.setBy}: ${parts.join(', ')}.\nIt replaces the shadow and is gated before it serves (not rolled forward); follow it with: guardrail status ${target}\n`);
}
