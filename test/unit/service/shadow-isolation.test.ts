// The user's response never depends on the shadow candidate. Property: for random valid and invalid
// requests, status, content type and body bytes are identical with mirroring off and with mirroring on to
// a candidate that hangs, fails, resets, answers garbage or disagrees. Latency: a hanging candidate does
// not slow the served replies (real sockets, measured in the same test, alternating off and on).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_FIELDS, MODEL_VARIANTS, type ModelVariant } from '../../../service/contract.js';
import type { Scorer } from '../../../service/scorers/scorer.js';
import { GOOD_INSTANCE, baselineScorer, scorerFor, testApp, type TestApp } from './app-fixtures.js';
import { answer, garbage, hang, reset, shadowApp, shadowCounts, startCandidate, type Candidate, type CandidateHandler, type ShadowTestApp } from './shadow-fixtures.js';

/** Cycles through every way a candidate can misbehave, one per request. */
const MISBEHAVIOURS: readonly CandidateHandler[] = [
  hang,
  answer(500, '{"error":{"code":"MODEL_ERROR","message":"boom"}}'),
  garbage,
  reset,
  answer(200, 'not json'),
  answer(200, '{"predictions":[]}'),
  (req, res, body) => setTimeout(() => answer(200, '{"prediction":1,"probability":1}')(req, res, body), 20),
];

const validInstance = fc.record(
  {
    price: fc.double({ min: 1, max: 1e6, noNaN: true }),
    midprice: fc.double({ min: 1, max: 1e6, noNaN: true }),
    return_1s: fc.double({ min: -0.1, max: 0.1, noNaN: true }),
    return_5s: fc.double({ min: -0.1, max: 0.1, noNaN: true }),
    volatility: fc.double({ min: 0, max: 0.1, noNaN: true }),
  },
  { requiredKeys: ['price'] },
);
const anyField = fc.oneof(fc.double(), fc.constantFrom(null, 'NaN', true, -1, 0), fc.string());
const invalidInstance = fc.dictionary(fc.constantFrom(...API_FIELDS, 'volatilty'), anyField);
const request = fc.oneof(
  validInstance.map((o) => ({ url: '/predict', payload: JSON.stringify(o) })),
  fc.array(validInstance, { minLength: 1, maxLength: 20 }).map((instances) => ({ url: '/predict/batch', payload: JSON.stringify({ instances }) })),
  invalidInstance.map((o) => ({ url: '/predict', payload: JSON.stringify(o) })),
  fc.array(fc.oneof(validInstance, invalidInstance), { maxLength: 5 }).map((instances) => ({ url: '/predict/batch', payload: JSON.stringify({ instances }) })),
  fc.oneof(fc.string(), fc.json()).map((payload) => ({ url: '/predict', payload })),
);

describe.each(MODEL_VARIANTS)('mirroring never changes a %s response', (variant: ModelVariant) => {
  let scorer: Scorer;
  let candidate: Candidate;
  let off: TestApp;
  let on: ShadowTestApp;
  beforeAll(async () => {
    let n = 0;
    candidate = await startCandidate((req, res, body) => (MISBEHAVIOURS[n++ % MISBEHAVIOURS.length] as CandidateHandler)(req, res, body));
    scorer = await scorerFor(variant);
    off = testApp(scorer);
    on = shadowApp(scorer, { url: candidate.url, timeoutMs: 100, maxInFlight: 4 });
  });
  afterAll(async () => {
    await on.app.close();
    await off.app.close();
    await candidate.stop();
    await scorer.close();
  });

  it('status, content type and body bytes are identical with mirroring off and on', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ url, payload }) => {
        const inject = (app: TestApp['app']) => app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
        const [a, b] = [await inject(off.app), await inject(on.app)];
        expect(b.statusCode).toBe(a.statusCode);
        expect(b.headers['content-type']).toBe(a.headers['content-type']);
        expect(b.body).toBe(a.body);
      }),
      { numRuns: 300 },
    );
    // The property ran against a candidate that was really mirrored to, and really misbehaved.
    const counts = await shadowCounts(on.registry);
    expect(candidate.received.length).toBeGreaterThan(20);
    expect(counts.error + counts.unreachable + counts.timeout + counts.dropped).toBeGreaterThan(10);
  });
});

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe('served latency with a hanging candidate', () => {
  it('does not grow: medians within 5 ms, and no reply waits for the candidate', async () => {
    const candidate = await startCandidate(hang);
    const scorer = baselineScorer();
    const off = testApp(scorer);
    const on = shadowApp(scorer, { url: candidate.url, timeoutMs: 30_000, maxInFlight: 64 });
    try {
      const urls = { off: await off.app.listen({ port: 0, host: '127.0.0.1' }), on: await on.app.listen({ port: 0, host: '127.0.0.1' }) };
      const times: Record<'off' | 'on', number[]> = { off: [], on: [] };
      const body = JSON.stringify(GOOD_INSTANCE);
      for (let i = 0; i < 240; i++) {
        const which = i % 2 === 0 ? 'off' : 'on';
        const started = performance.now();
        const res = await fetch(`${urls[which]}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect(res.status).toBe(200);
        await res.text();
        times[which].push(performance.now() - started);
      }
      // 120 mirrors to a candidate that never answers: 64 hang in flight, the rest are dropped.
      await expect.poll(() => candidate.received.length).toBe(64);
      expect(await shadowCounts(on.registry)).toMatchObject({ dropped: 120 - 64, timeout: 0, ok: 0 });
      const [offMedian, onMedian] = [median(times.off), median(times.on)];
      console.log(`served latency median off ${offMedian.toFixed(2)} ms, on (hanging candidate) ${onMedian.toFixed(2)} ms; max ${Math.max(...times.off).toFixed(1)} / ${Math.max(...times.on).toFixed(1)} ms`);
      expect(onMedian).toBeLessThan(offMedian + 5);
      // Waiting for the candidate would take its 30 s timeout (the bound leaves room for a loaded machine's stalls).
      expect(Math.max(...times.on)).toBeLessThan(5_000);
    } finally {
      await on.app.close();
      await off.app.close();
      await candidate.stop();
    }
  });
});
