// waitUntilServing against a real loopback HTTP server whose answers the test changes over time. Its timing
// (deadline, fast then slow polling, each probe's budget) runs on a manual clock (test/helpers/manual-clock.ts):
// exact intervals, no sleeping. Two tests keep the system clock, for real polls and a real fetch timeout.
import type { VerifySpec } from '../../../controller/core/index.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEPENDENCY_GRACE_MS, FAST_PHASE_MS, FAST_POLL_MS, SLOW_POLL_MS, VerificationError, waitUntilServing } from '../../../controller/adapters/verify/serving-check.js';
import { ManualClock } from '../../helpers/manual-clock.js';

/** What the server answers; `stall` leaves a request unanswered (and `onStall` runs). */
let answer: { health: number; variant: string; stall: boolean } = { health: 200, variant: 'ml', stall: false };
/** Lets a test change the answer on its clock: called for each request before it is answered. */
let onRequest: () => void = () => undefined;
let onStall: () => void = () => undefined;
let server: http.Server;
let baseUrl: string;
const REFUSED = 'http://127.0.0.1:1';

const verify: VerifySpec = {
  port: 0,
  healthPath: '/health',
  versionPath: '/version',
  variantField: 'model_variant',
  absentVariant: 'ml',
  timeoutMs: 2_500,
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    onRequest();
    if (answer.stall) return onStall();
    // No keep-alive: a pooled connection that afterEach closed would fail the next test's first probe.
    res.setHeader('connection', 'close');
    if (req.url === '/health') res.writeHead(answer.health).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ model_variant: answer.variant }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  answer = { health: 200, variant: 'ml', stall: false };
  onRequest = () => undefined;
  onStall = () => undefined;
  server.closeAllConnections();
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const repeat = (ms: number, times: number): number[] => Array.from({ length: times }, () => ms);

describe('waitUntilServing on a manual clock', () => {
  it('returns the time it took on the clock, polling every 25 ms meanwhile', async () => {
    const clock = new ManualClock();
    const started = clock.now();
    onRequest = () => {
      answer = clock.now() - started < 250 ? { health: 503, variant: 'ml', stall: false } : { health: 200, variant: 'baseline', stall: false };
    };
    const result = await waitUntilServing({ verify, expectedVariant: 'baseline', baseUrls: async () => [baseUrl], clock });
    expect(result).toEqual({ elapsedMs: 250, baseUrl, health: 'ok' });
    expect(clock.sleeps).toEqual(repeat(FAST_POLL_MS, 10));
  });

  // A consumer whose Redis is down answers /health 503 but runs the baseline: a rollback asks "does it
  // serve the variant" (accept serving), apart from "are its dependencies up".
  it('accept serving: the expected variant with /health failing is accepted after the dependency grace, and says why', async () => {
    const clock = new ManualClock();
    const started = clock.now();
    answer = { health: 503, variant: 'baseline', stall: false };
    const long = { ...verify, timeoutMs: 10_000 };
    const result = await waitUntilServing({ verify: long, expectedVariant: 'baseline', baseUrls: async () => [baseUrl], clock, accept: 'serving' });
    expect(result).toEqual({ elapsedMs: DEPENDENCY_GRACE_MS, baseUrl, health: '/health answered 503' });
    expect(clock.now() - started).toBe(DEPENDENCY_GRACE_MS);
    // A shorter timeout shrinks the grace so that the variant is still accepted before the deadline.
    const short = await waitUntilServing({ verify, expectedVariant: 'baseline', baseUrls: async () => [baseUrl], clock, accept: 'serving' });
    expect(short.elapsedMs).toBeLessThan(verify.timeoutMs);
    // The default (healthy) does not accept it: a roll-forward needs the dependencies up.
    await expect(waitUntilServing({ verify, expectedVariant: 'baseline', baseUrls: async () => [baseUrl], clock })).rejects.toThrow(
      /^not serving variant baseline after 2500 ms: \/health answered 503$/,
    );
  });

  it('polls every 25 ms for the first 3 s, then every 100 ms, and gives up at the deadline; the last probes get only what is left', async () => {
    const clock = new ManualClock();
    const error = await waitUntilServing({
      verify: { ...verify, timeoutMs: 5_000 },
      expectedVariant: 'ml',
      baseUrls: async () => [REFUSED],
      clock,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as Error).message).toMatch(/^not serving variant ml after 5000 ms: http:\/\/127\.0\.0\.1:1 unreachable \(/);
    expect(FAST_PHASE_MS / FAST_POLL_MS).toBe(120);
    expect(clock.sleeps).toEqual([...repeat(FAST_POLL_MS, 120), ...repeat(SLOW_POLL_MS, 20)]);
    // One probe at each poll: 0, 25, … 2975, then 3000, 3100, … 5000. Budget: 1 s, or what is left of the 5 s.
    const pollTimes = [...Array.from({ length: 120 }, (_, i) => i * 25), ...Array.from({ length: 21 }, (_, i) => 3_000 + i * 100)];
    expect(clock.timeouts).toEqual(pollTimes.map((t) => Math.max(1, Math.min(1_000, 5_000 - t))));
  });

  it('a fixed interval is kept, and the timeout names the last problem: the wrong variant', async () => {
    const clock = new ManualClock();
    await expect(
      waitUntilServing({ verify, expectedVariant: 'baseline', baseUrls: async () => [baseUrl], pollIntervalMs: 50, clock }),
    ).rejects.toThrow(/^not serving variant baseline after 2500 ms: \/version says model_variant=ml$/);
    expect(clock.sleeps).toEqual(repeat(50, 50));
  });

  it('a fatal problem fails at once: no probe, no wait', async () => {
    const clock = new ManualClock();
    await expect(
      waitUntilServing({ verify, expectedVariant: 'ml', baseUrls: async () => [baseUrl], problem: async () => 'it exited', clock }),
    ).rejects.toThrow(new VerificationError('it exited'));
    expect(clock.sleeps).toEqual([]);
    expect(clock.timeouts).toEqual([]);
  });

  // Seen in CI: the last poll before the deadline gets only the milliseconds left, times out, and its
  // "unreachable" used to replace the "/health answered 503" that says why the instance never passed.
  it('a last probe cut short by the deadline does not hide what the polls before it learnt', async () => {
    const clock = new ManualClock();
    const started = clock.now();
    onRequest = () => {
      answer = { health: 503, variant: 'ml', stall: clock.now() - started >= 1_000 };
    };
    onStall = () => clock.expireLatestTimeout();
    await expect(
      waitUntilServing({ verify: { ...verify, timeoutMs: 1_500 }, expectedVariant: 'ml', baseUrls: async () => [baseUrl], clock }),
    ).rejects.toThrow(/^not serving variant ml after 1500 ms: \/health answered 503$/);
    expect(clock.timeouts.at(-1)).toBe(500); // the probe at 1 s: 0.5 s left
    expect(clock.now() - started).toBe(1_500);
  });

  it('a probe that times out with its whole budget is the problem it reports', async () => {
    const clock = new ManualClock();
    answer = { health: 200, variant: 'ml', stall: true };
    onStall = () => clock.expireLatestTimeout();
    await expect(
      waitUntilServing({ verify: { ...verify, timeoutMs: 2_000 }, expectedVariant: 'ml', baseUrls: async () => [baseUrl], clock }),
    ).rejects.toThrow(new RegExp(`^not serving variant ml after 2000 ms: ${baseUrl} unreachable \\(timed out\\)$`));
    expect(clock.timeouts).toEqual([1_000, 975]);
    expect(clock.sleeps).toEqual([FAST_POLL_MS]);
  });
});

describe('waitUntilServing on the system clock', () => {
  it('tries every address in order on each poll: one that never answers does not stop the one that does', async () => {
    answer = { health: 200, variant: 'baseline', stall: false };
    const result = await waitUntilServing({
      verify,
      expectedVariant: 'baseline',
      baseUrls: async () => [REFUSED, baseUrl],
      pollIntervalMs: 50,
    });
    expect(result.baseUrl).toBe(baseUrl);
    await expect(
      waitUntilServing({
        verify: { ...verify, timeoutMs: 300 },
        expectedVariant: 'baseline',
        baseUrls: async () => [REFUSED, 'http://127.0.0.1:2'],
        pollIntervalMs: 50,
      }),
    ).rejects.toThrow(/127\.0\.0\.1:1 unreachable.*; http:\/\/127\.0\.0\.1:2 unreachable/);
  });

  it('a real fetch timeout reads as "timed out"', async () => {
    answer = { health: 200, variant: 'ml', stall: true };
    await expect(
      waitUntilServing({ verify: { ...verify, timeoutMs: 1_100 }, expectedVariant: 'ml', baseUrls: async () => [baseUrl], pollIntervalMs: 50 }),
    ).rejects.toThrow(/unreachable \(timed out\)/);
  });
});
