// waitUntilServing against a real loopback HTTP server whose answers the test changes over time.
import type { VerifySpec } from '../../../controller/core/index.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VerificationError, waitUntilServing } from '../../../controller/adapters/verify/serving-check.js';

let health = 200;
let variant = 'ml';
/** When set, requests get no answer at all (a stalled instance): the probe's timeout ends them. */
let stall = false;
let server: http.Server;
let baseUrl: string;

const verify: VerifySpec = {
  port: 0,
  healthPath: '/health',
  versionPath: '/version',
  variantField: 'model_variant',
  absentVariant: 'ml',
  // Generous: a loaded CI machine can stall one loopback poll for hundreds of ms, and the timeout test
  // needs at least one /version answer inside the window to name the wrong variant.
  timeoutMs: 2_500,
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (stall) return;
    if (req.url === '/health') res.writeHead(health).end();
    else
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ model_variant: variant }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

describe('waitUntilServing', () => {
  it('returns once health is 200 and the variant matches, even if that takes a few polls', async () => {
    health = 503;
    variant = 'ml';
    setTimeout(() => {
      health = 200;
      variant = 'baseline';
    }, 250);
    const result = await waitUntilServing({
      verify,
      expectedVariant: 'baseline',
      baseUrls: async () => [baseUrl],
      pollIntervalMs: 50,
    });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(200);
    expect(result.baseUrl).toBe(baseUrl);
  });

  it('times out naming the last problem: the wrong variant', async () => {
    health = 200;
    variant = 'ml';
    await expect(
      waitUntilServing({
        verify,
        expectedVariant: 'baseline',
        baseUrls: async () => [baseUrl],
        pollIntervalMs: 50,
      }),
    ).rejects.toThrow(/after 2500 ms: \/version says model_variant=ml/);
  });

  it('times out naming an unreachable address, and fails at once on a fatal problem', async () => {
    await expect(
      waitUntilServing({
        verify,
        expectedVariant: 'ml',
        baseUrls: async () => ['http://127.0.0.1:1'],
        pollIntervalMs: 50,
      }),
    ).rejects.toThrow(/unreachable/);
    const started = Date.now();
    await expect(
      waitUntilServing({
        verify,
        expectedVariant: 'ml',
        baseUrls: async () => [baseUrl],
        problem: async () => 'it exited',
      }),
    ).rejects.toBeInstanceOf(VerificationError);
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('tries every address in order on each poll: one that never answers does not stop the one that does', async () => {
    health = 200;
    variant = 'baseline';
    const result = await waitUntilServing({
      verify,
      expectedVariant: 'baseline',
      baseUrls: async () => ['http://127.0.0.1:1', baseUrl],
      pollIntervalMs: 50,
    });
    expect(result.baseUrl).toBe(baseUrl);
    await expect(
      waitUntilServing({
        verify: { ...verify, timeoutMs: 300 },
        expectedVariant: 'baseline',
        baseUrls: async () => ['http://127.0.0.1:1', 'http://127.0.0.1:2'],
        pollIntervalMs: 50,
      }),
    ).rejects.toThrow(/127\.0\.0\.1:1 unreachable.*; http:\/\/127\.0\.0\.1:2 unreachable/);
  });

  // Seen in CI: the last poll before the deadline gets only the milliseconds left, times out, and its
  // "unreachable" used to replace the "/health answered 503" that says why the instance never passed.
  it('a last probe cut short by the deadline does not hide what the polls before it learnt', async () => {
    health = 503;
    stall = false;
    setTimeout(() => (stall = true), 200);
    try {
      await expect(
        waitUntilServing({
          verify: { ...verify, timeoutMs: 600 },
          expectedVariant: 'ml',
          baseUrls: async () => [baseUrl],
          pollIntervalMs: 50,
        }),
      ).rejects.toThrow(/after 600 ms: \/health answered 503$/);
    } finally {
      stall = false;
      server.closeAllConnections();
    }
  });

  it('a probe that times out with its whole budget is the problem it reports', async () => {
    stall = true;
    try {
      await expect(
        waitUntilServing({
          verify: { ...verify, timeoutMs: 1_100 },
          expectedVariant: 'ml',
          baseUrls: async () => [baseUrl],
          pollIntervalMs: 50,
        }),
      ).rejects.toThrow(/unreachable \(timed out\)/);
    } finally {
      stall = false;
      server.closeAllConnections();
    }
  });
});
