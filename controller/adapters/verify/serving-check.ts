// Verification that a freshly started instance serves the expected variant: polls /health for 200 and
// /version for the expected variant field. We poll ourselves instead of waiting for Docker's health status
// because Docker 20.10 runs the first health check only one interval after start (seconds wasted), and
// because the process actuator needs the same check. `problem` fails fast when the instance has died.
import type { VerifySpec } from '../../core/index.js';
import { systemClock, type Clock } from '../../ports/clock.js';

export interface VerifyOptions {
  readonly verify: VerifySpec;
  readonly expectedVariant: string;
  /**
   * Where the instance may answer now, best first; may change until it is up (an IP is assigned at start).
   * Each poll tries them in order and the first that passes wins, so an address that cannot work from
   * where the controller runs (a published port on 127.0.0.1 seen from inside a container) costs one
   * refused connection per poll, not the verification.
   */
  readonly baseUrls: () => Promise<readonly string[]>;
  /** A reason the instance can never pass (it exited), or undefined while it may still come up. */
  readonly problem?: () => Promise<string | undefined>;
  /** A fixed interval; by default FAST_POLL_MS for the first FAST_PHASE_MS, then SLOW_POLL_MS. */
  readonly pollIntervalMs?: number;
  /** The deadline, the polling intervals and each probe's timeout run on it. Default systemClock. */
  readonly clock?: Clock;
  /**
   * `healthy` (default): /health 2xx AND the expected variant. `serving`: the expected variant is enough once
   * /health has failed for DEPENDENCY_GRACE_MS while /version already said it: a consumer whose Redis is
   * down answers /health 503 but does run the baseline (a rollback and a restore ask only this).
   */
  readonly accept?: 'healthy' | 'serving';
}

/** What verification found: `health` is 'ok' or why /health failed while the variant was served. */
export interface ServingResult {
  readonly elapsedMs: number;
  readonly baseUrl: string;
  readonly health: string;
}

// A service that is coming up answers within its first second or two (the prediction service listens
// ~0.35 s after its process starts): polling every 25 ms then saves ~40 ms on average over 100 ms, for a
// few dozen cheap requests (a refused connection, a Docker inspect). One that takes longer is polled
// gently for the rest of its timeout.
export const FAST_POLL_MS = 25;
export const FAST_PHASE_MS = 3_000;
export const SLOW_POLL_MS = 100;
/** With accept `serving`: how long /health may fail while /version serves the variant before it is accepted. */
export const DEPENDENCY_GRACE_MS = 2_000;

/** One probe's own limit; the last probe before the deadline gets only what is left. */
const PROBE_TIMEOUT_MS = 1000;
const NOT_POLLED = 'not polled yet';
/** How probeOnce ends the description of a probe its timeout aborted. */
const TIMED_OUT = '(timed out)';

export class VerificationError extends Error {
  override readonly name = 'VerificationError';
}

export async function waitUntilServing(options: VerifyOptions): Promise<ServingResult> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const deadline = started + options.verify.timeoutMs;
  let lastProblem = NOT_POLLED;
  let servingSinceMs: number | undefined;
  for (;;) {
    const fatal = await options.problem?.();
    if (fatal !== undefined) throw new VerificationError(fatal);
    const baseUrls = await options.baseUrls();
    if (baseUrls.length === 0) lastProblem = 'no address to reach it yet';
    const problems: string[] = [];
    let cutShort = false;
    for (const baseUrl of baseUrls) {
      const budgetMs = Math.max(1, Math.min(PROBE_TIMEOUT_MS, deadline - clock.now()));
      const outcome = await probeOnce(baseUrl, options, () => clock.timeoutSignal(budgetMs));
      if (outcome.serving && outcome.health === 'ok') return { elapsedMs: clock.now() - started, baseUrl, health: 'ok' };
      if (outcome.serving && options.accept === 'serving') {
        servingSinceMs ??= clock.now();
        const grace = Math.min(DEPENDENCY_GRACE_MS, Math.max(0, deadline - clock.now() - 1));
        if (clock.now() - servingSinceMs >= grace) return { elapsedMs: clock.now() - started, baseUrl, health: outcome.health };
      }
      const problem = outcome.serving ? outcome.health : outcome.problem;
      cutShort ||= budgetMs < PROBE_TIMEOUT_MS && problem.endsWith(TIMED_OUT);
      problems.push(problem);
    }
    // A last probe that only ran out of the deadline's remaining milliseconds says nothing about the
    // instance: keep what the previous poll learnt (e.g. "/health answered 503") for the error message.
    if (problems.length > 0 && !(cutShort && lastProblem !== NOT_POLLED)) lastProblem = problems.join('; ');
    const interval =
      options.pollIntervalMs ?? (clock.now() - started < FAST_PHASE_MS ? FAST_POLL_MS : SLOW_POLL_MS);
    if (clock.now() + interval > deadline) {
      throw new VerificationError(
        `not serving variant ${options.expectedVariant} after ${options.verify.timeoutMs} ms: ${lastProblem}`,
      );
    }
    await clock.sleep(interval);
  }
}

interface Probe {
  /** /version answered the expected variant. */
  readonly serving: boolean;
  /** The variant /version reported (a string), if it answered with one. */
  readonly variant?: string;
  /** 'ok' or why /health failed (asked even when /version fails, for the message). */
  readonly health: string;
  /** What is wrong, in words for the error message ('' when serving and healthy). */
  readonly problem: string;
}

/** One poll of /version and /health. Each request gets its own `timeout()` signal. */
async function probeOnce(baseUrl: string, options: VerifyOptions, timeout: () => AbortSignal): Promise<Probe> {
  const { verify, expectedVariant } = options;
  try {
    const health = await fetch(`${baseUrl}${verify.healthPath}`, { signal: timeout() });
    await health.arrayBuffer();
    const healthNote = health.status === 200 ? 'ok' : `${verify.healthPath} answered ${health.status}`;
    const version = await fetch(`${baseUrl}${verify.versionPath}`, { signal: timeout() });
    if (version.status !== 200) return { serving: false, health: healthNote, problem: pick(healthNote, `${verify.versionPath} answered ${version.status}`) };
    const variant = variantIn(await version.json(), verify.variantField);
    const read = typeof variant === 'string' ? { variant } : {};
    if (variant !== expectedVariant) {
      return { serving: false, ...read, health: healthNote, problem: pick(healthNote, `${verify.versionPath} says ${verify.variantField}=${String(variant)}`) };
    }
    return { serving: true, ...read, health: healthNote, problem: healthNote === 'ok' ? '' : healthNote };
  } catch (error) {
    const problem =
      error instanceof Error && error.name === 'TimeoutError'
        ? `${baseUrl} unreachable ${TIMED_OUT}`
        : `${baseUrl} unreachable (${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)})`;
    return { serving: false, health: problem, problem };
  }
}

/** The health problem first (it is what a human fixes), else the version's. */
function pick(healthNote: string, versionProblem: string): string {
  return healthNote === 'ok' ? versionProblem : healthNote;
}

export function variantIn(body: unknown, field: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
}

/** One look at an instance, for inspect's probe: the first address that answers /version wins. */
export async function probeInstance(baseUrls: readonly string[], verify: VerifySpec, clock: Clock = systemClock): Promise<{ variant: string | null; detail: string }> {
  const problems: string[] = [];
  for (const baseUrl of baseUrls) {
    const outcome = await probeOnce(baseUrl, { verify, expectedVariant: '', baseUrls: () => Promise.resolve([]) }, () => clock.timeoutSignal(PROBE_TIMEOUT_MS));
    if (outcome.variant !== undefined) return { variant: outcome.variant, detail: outcome.health };
    problems.push(outcome.problem);
  }
  return { variant: null, detail: problems.join('; ') || 'no address to reach it' };
}
