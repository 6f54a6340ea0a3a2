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
}

// A service that is coming up answers within its first second or two (the prediction service listens
// ~0.35 s after its process starts): polling every 25 ms then saves ~40 ms on average over 100 ms, for a
// few dozen cheap requests (a refused connection, a Docker inspect). One that takes longer is polled
// gently for the rest of its timeout.
export const FAST_POLL_MS = 25;
export const FAST_PHASE_MS = 3_000;
export const SLOW_POLL_MS = 100;

/** One probe's own limit; the last probe before the deadline gets only what is left. */
const PROBE_TIMEOUT_MS = 1000;
const NOT_POLLED = 'not polled yet';
/** How probeOnce ends the description of a probe its timeout aborted. */
const TIMED_OUT = '(timed out)';

export class VerificationError extends Error {
  override readonly name = 'VerificationError';
}

export async function waitUntilServing(
  options: VerifyOptions,
): Promise<{ elapsedMs: number; baseUrl: string }> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const deadline = started + options.verify.timeoutMs;
  let lastProblem = NOT_POLLED;
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
      if (outcome === 'ok') return { elapsedMs: clock.now() - started, baseUrl };
      cutShort ||= budgetMs < PROBE_TIMEOUT_MS && outcome.endsWith(TIMED_OUT);
      problems.push(outcome);
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

/** 'ok' or what is wrong, in words for the error message. Each request gets its own `timeout()` signal. */
async function probeOnce(baseUrl: string, options: VerifyOptions, timeout: () => AbortSignal): Promise<string> {
  const { verify, expectedVariant } = options;
  try {
    const health = await fetch(`${baseUrl}${verify.healthPath}`, { signal: timeout() });
    await health.arrayBuffer();
    if (health.status !== 200) return `${verify.healthPath} answered ${health.status}`;
    const version = await fetch(`${baseUrl}${verify.versionPath}`, { signal: timeout() });
    if (version.status !== 200) return `${verify.versionPath} answered ${version.status}`;
    const body: unknown = await version.json();
    const variant =
      typeof body === 'object' && body !== null
        ? (body as Record<string, unknown>)[verify.variantField]
        : undefined;
    if (variant !== expectedVariant)
      return `${verify.versionPath} says ${verify.variantField}=${String(variant)}`;
    return 'ok';
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') return `${baseUrl} unreachable ${TIMED_OUT}`;
    return `${baseUrl} unreachable (${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)})`;
  }
}
