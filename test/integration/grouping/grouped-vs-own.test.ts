import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusMetricsSource, type GroupingEvent } from '../../../controller/adapters/prometheus/metrics-source.js';
import type { Sample } from '../../../controller/core/observation.js';
import { groupableErrorRatio, nestedErrorRatio, RULE_SHAPES } from '../../bench/lib/scale-policy.js';
import { freePort } from '../../helpers/free-port.js';
import { startPrometheus, type RealPrometheus } from '../../helpers/real-prometheus.js';
import { startScriptedServer, type ScriptedServer } from '../../helpers/scripted-server.js';

// Grouped queries against a REAL Prometheus: for every rule shape of the scale policy (the shipped
// policy's rules narrowed by `service`) and several targets — one without 5xx series, one without any
// series — the grouped answers equal each target's own query evaluated at the SAME `time=`. Also: the
// shipped nested `or on() vector(0)` error ratio equals its groupable form; a rejected grouped query
// falls back to the members' own queries; a failing Prometheus gives each member its own UNKNOWN.

const EXPORTER = join(import.meta.dirname, '../../bench/lib/synthetic-exporter.mjs');
const EXPORTED = 4; // svc-0 .. svc-3
const NO_5XX = 'svc-2';
const NO_SERIES = 'svc-9';
const TARGETS = ['svc-0', 'svc-1', NO_5XX, 'svc-3', NO_SERIES];

let exporter: ChildProcess | undefined;
let prometheus: RealPrometheus;

async function startExporter(): Promise<string> {
  const child = spawn(process.execPath, [EXPORTER, String(EXPORTED), '0', NO_5XX], { stdio: ['ignore', 'pipe', 'inherit'] });
  exporter = child;
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (c: Buffer) => resolve((JSON.parse(c.toString()) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`synthetic exporter exited ${code}`)));
  });
  return `127.0.0.1:${port}`;
}

/** Same kind; numbers equal to 1e-9 relative (sums may add in another order); UNKNOWNs identical. */
function expectSameSamples(actual: readonly Sample[], expected: readonly Sample[], labels: readonly string[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((want, i) => {
    const got = actual[i];
    const where = labels[i] ?? String(i);
    if (want.kind === 'value' && got?.kind === 'value') {
      expect(Math.abs(got.value - want.value), where).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want.value)));
    } else {
      expect(got, where).toEqual(want);
    }
  });
}

async function readBody(req: AsyncIterable<Buffer>): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk.toString();
  return body;
}

/** Evaluation time a little in the past, so every scrape up to it is ingested before either query runs. */
const settledTime = (): number => Date.now() - 2_000;

beforeAll(async () => {
  const target = await startExporter();
  prometheus = await startPrometheus({ scrapeTargets: [target], scrapeIntervalSec: 1 });
  // Every service needs rates at the (2 s old) evaluation time too: two samples in the window by then.
  await prometheus.waitForSample(`count(count by (service) (rate(http_requests_total[1m] offset 3s) > 0)) >= ${EXPORTED}`, 30_000);
});

afterAll(async () => {
  await prometheus?.stop();
  exporter?.kill('SIGTERM');
});

describe('grouped queries on a real Prometheus', () => {
  const queries = TARGETS.flatMap((s) => RULE_SHAPES.map((r) => r.perTarget(s)));
  const labels = TARGETS.flatMap((s) => RULE_SHAPES.map((r) => `${s} ${r.name}`));

  it('every rule shape: one grouped query per shape, answers equal to each target’s own query at the same time', async () => {
    const events: GroupingEvent[] = [];
    const grouped = new PrometheusMetricsSource({ baseUrl: prometheus.url, onGrouping: (e) => events.push(e) });
    const own = new PrometheusMetricsSource({ baseUrl: prometheus.url, groupQueries: false });
    const timeMs = settledTime();
    const [fromGroups, fromOwn] = await Promise.all([grouped.queryAll(queries, { timeMs }), own.queryAll(queries, { timeMs })]);
    expectSameSamples(fromGroups, fromOwn, labels);
    expect(events).toEqual(RULE_SHAPES.map(() => expect.objectContaining({ kind: 'grouped', members: TARGETS.length })));

    // The answers are real and told apart per target, not one target's number copied to all.
    const at = (svc: string, shape: string): Sample | undefined => fromGroups[labels.indexOf(`${svc} ${shape}`)];
    const ratio0 = at('svc-0', 'high-error-rate');
    const ratio1 = at('svc-1', 'high-error-rate');
    expect(ratio0?.kind === 'value' && ratio0.value).toBeCloseTo(0.005, 4);
    expect(ratio1?.kind === 'value' && ratio1.value).toBeCloseTo(0.01, 4);
    expect(at(NO_5XX, 'high-error-rate')).toEqual({ kind: 'value', value: 0 });
    expect(at('svc-3', 'model-not-loaded')).toEqual({ kind: 'value', value: 1 });
    // No series at all: no_data where its own query says so, 0 from the top-level `or on() vector(0)`.
    expect(at(NO_SERIES, 'traffic')).toMatchObject({ kind: 'unknown', cause: 'no_data' });
    expect(at(NO_SERIES, 'high-error-rate')).toMatchObject({ kind: 'unknown', cause: 'no_data' });
    expect(at(NO_SERIES, 'severe-latency')).toMatchObject({ kind: 'unknown', cause: 'no_data' });
    expect(at(NO_SERIES, 'model-not-loaded')).toEqual({ kind: 'value', value: 0 });
    expect(at(NO_SERIES, 'deploy-in-progress')).toMatchObject({ kind: 'unknown', cause: 'no_data' });
  });

  it('the shipped nested `or on() vector(0)` ratio is not grouped, and equals its groupable form for every target', async () => {
    const events: GroupingEvent[] = [];
    const grouped = new PrometheusMetricsSource({ baseUrl: prometheus.url, onGrouping: (e) => events.push(e) });
    const own = new PrometheusMetricsSource({ baseUrl: prometheus.url, groupQueries: false });
    const timeMs = settledTime();
    const nested = await grouped.queryAll(TARGETS.map(nestedErrorRatio), { timeMs });
    expect(events).toEqual([]); // sent one by one, exactly as written
    const groupable = await own.queryAll(TARGETS.map(groupableErrorRatio), { timeMs });
    TARGETS.forEach((svc, i) => {
      const a = nested[i];
      const b = groupable[i];
      expect(a?.kind, svc).toBe(b?.kind);
      if (a?.kind === 'value' && b?.kind === 'value') expect(Math.abs(a.value - b.value), svc).toBeLessThanOrEqual(1e-12);
      else expect(a?.kind === 'unknown' && a.cause, svc).toBe(b?.kind === 'unknown' && b.cause);
    });
    expect(nested[TARGETS.indexOf(NO_5XX)]).toEqual({ kind: 'value', value: 0 });
    expect(nested[TARGETS.indexOf(NO_SERIES)]).toMatchObject({ kind: 'unknown', cause: 'no_data' });
  });

  describe('behind a proxy that can refuse the grouped queries', () => {
    let proxy: ScriptedServer;
    let grouped = 0;
    let ownQueries = 0;
    let groupedStatus = 422;
    /** Like nginx's 8 KB request-line buffer: a longer URL is answered 414. */
    let maxUrlBytes = Number.POSITIVE_INFINITY;
    let refusePost = false;
    const methods: string[] = [];
    beforeAll(async () => {
      proxy = await startScriptedServer((req, res) => {
        void readBody(req).then(async (body) => {
          const method = req.method ?? 'GET';
          methods.push(method);
          if ((req.url ?? '').length > maxUrlBytes) return void res.writeHead(414).end('Request-URI Too Large');
          if (refusePost && method === 'POST') return void res.writeHead(405).end('Method Not Allowed');
          const query = method === 'POST' ? new URLSearchParams(body).get('query') : new URL(req.url ?? '/', 'http://proxy').searchParams.get('query');
          if ((query ?? '').includes('service=~') && groupedStatus !== 200) {
            grouped += 1;
            res.writeHead(groupedStatus, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ status: 'error', errorType: groupedStatus === 422 ? 'execution' : 'unavailable', error: 'refused by the test proxy' }));
            return;
          }
          if ((query ?? '').includes('service=~')) grouped += 1;
          else ownQueries += 1;
          const headers = { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded' };
          const answer = await fetch(`${prometheus.url}${req.url ?? ''}`, method === 'POST' ? { method, headers, body } : {});
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(await answer.text());
        });
      });
    });
    afterAll(async () => proxy?.stop());
    const reset = (status: number): void => {
      grouped = 0;
      ownQueries = 0;
      groupedStatus = status;
      maxUrlBytes = Number.POSITIVE_INFINITY;
      refusePost = false;
      methods.length = 0;
    };

    /** Through the proxy and straight to Prometheus at one time=: the same samples; the proxy side's grouping events. */
    async function expectFallbackAnswers(): Promise<GroupingEvent[]> {
      const events: GroupingEvent[] = [];
      const viaProxy = new PrometheusMetricsSource({ baseUrl: proxy.url, onGrouping: (e) => events.push(e) });
      const own = new PrometheusMetricsSource({ baseUrl: prometheus.url, groupQueries: false });
      const timeMs = settledTime();
      const [fallback, direct] = await Promise.all([viaProxy.queryAll(queries, { timeMs }), own.queryAll(queries, { timeMs })]);
      expectSameSamples(fallback, direct, labels);
      return events;
    }

    it('a grouped query goes by POST (its URL would pass a proxy’s 8 KB limit); single queries keep GET', async () => {
      reset(200);
      maxUrlBytes = 8192;
      const events: GroupingEvent[] = [];
      const big = Array.from({ length: 600 }, (_, i) => `svc-${i}`);
      const many = big.map((s) => RULE_SHAPES[0]?.perTarget(s) ?? '');
      const viaProxy = new PrometheusMetricsSource({ baseUrl: proxy.url, onGrouping: (e) => events.push(e) });
      const samples = await viaProxy.queryAll([...many, 'up'], { timeMs: settledTime() });
      // 600 members: two grouped queries (500 + 100), each an encoded text well past 8 KB for the first.
      expect(events.filter((e) => e.kind === 'grouped')).toHaveLength(2);
      expect(events.filter((e) => e.kind === 'own_queries')).toEqual([]);
      expect(methods.filter((m) => m === 'POST')).toHaveLength(2);
      expect(methods.filter((m) => m === 'GET')).toHaveLength(1); // `up`, on its own
      expect(samples[0]).toMatchObject({ kind: 'value' });
    });

    it('a proxy that refuses POST: the group falls back to the members’ own queries (GET), same answers', async () => {
      reset(200);
      refusePost = true;
      const events = await expectFallbackAnswers();
      expect(ownQueries).toBe(queries.length);
      expect(events).toEqual(RULE_SHAPES.map(() => expect.objectContaining({ kind: 'own_queries', cause: 'rejected', detail: expect.stringContaining('HTTP 405') })));
    });

    it('a rejected grouped query falls back to the members’ own queries for that tick', async () => {
      reset(422);
      const events = await expectFallbackAnswers();
      expect(grouped).toBe(RULE_SHAPES.length);
      expect(ownQueries).toBe(queries.length);
      expect(events).toEqual(RULE_SHAPES.map(() => expect.objectContaining({ kind: 'own_queries', cause: 'rejected', members: TARGETS.length })));
    });

    it('a grouped query that keeps failing with 503 gives every member the UNKNOWN its own query would get, never a value', async () => {
      reset(503);
      const viaProxy = new PrometheusMetricsSource({ baseUrl: proxy.url, backoffMs: 10, retries: 1 });
      const samples = await viaProxy.queryAll(queries, { timeMs: settledTime() });
      expect(ownQueries).toBe(0);
      expect(grouped).toBe(RULE_SHAPES.length * 2); // one retry each
      samples.forEach((sample, i) => {
        expect(sample, labels[i]).toMatchObject({ kind: 'unknown', cause: 'query_error' });
        if (sample.kind === 'unknown') {
          expect(sample.detail).toContain(JSON.stringify(queries[i]));
          expect(sample.detail).toContain('(HTTP 503) (gave up after 2 attempts)');
        }
      });
    });
  });
});

describe('Prometheus down', () => {
  it('grouping on or off, every query gets the same UNKNOWN unreachable; `or on() vector(0)` does not make it a value', async () => {
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const queries = TARGETS.flatMap((s) => RULE_SHAPES.map((r) => r.perTarget(s)));
    const on = await new PrometheusMetricsSource({ baseUrl: deadUrl, backoffMs: 10, retries: 1 }).queryAll(queries);
    const off = await new PrometheusMetricsSource({ baseUrl: deadUrl, backoffMs: 10, retries: 1, groupQueries: false }).queryAll(queries);
    expect(on).toEqual(off);
    for (const sample of on) expect(sample).toMatchObject({ kind: 'unknown', cause: 'unreachable' });
  });
});
