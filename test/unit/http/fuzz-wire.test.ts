// fast-check over the wire: arbitrary requests (methods, paths, %-escapes, long parameters, headers,
// tokens, content types and bodies) and arbitrary raw bytes sent to the LISTENING controller API (the
// real Runtime behind it, webhook included) and the LISTENING prediction service (the real ONNX model
// behind /predict). Whatever arrives: never a 5xx, every error in its server's catalogue format (RFC 9457
// problems on the controller), and both servers still answer afterwards. The inject()-level suites
// (fuzz.test.ts here and in ../service) cover the bodies in depth; this one covers what only a real socket
// reaches: Node's HTTP parser, the client-error handler, the router before any route runs.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../../controller/http/build-api.js';
import { isApiErrorCode } from '../../../controller/http/errors.js';
import { buildApp } from '../../../service/build-app.js';
import type { Scorer } from '../../../service/scorers/scorer.js';
import { createHarness, type Harness } from '../runtime/harness.js';
import { mlModelPresent, scorerFor } from '../service/app-fixtures.js';

const TOKEN = 'fuzz-operator-token-0123456789';
const RUNS = 200;
const quiet = pino({ level: 'silent' });

let harness: Harness;
let scorer: Scorer;
let api: ReturnType<typeof buildApi>;
let service: ReturnType<typeof buildApp>;
const ports = { api: 0, service: 0 };

beforeAll(async () => {
  harness = await createHarness();
  api = buildApi({ controller: harness.runtime, registry: new Registry(), logger: quiet, auth: { token: TOKEN, protectReads: false } });
  scorer = await scorerFor(mlModelPresent() ? 'ml' : 'baseline');
  service = buildApp({ scorer, logger: quiet, registry: new Registry(), config: { variant: scorer.variant } });
  await Promise.all([api.listen({ host: '127.0.0.1', port: 0 }), service.listen({ host: '127.0.0.1', port: 0 })]);
  ports.api = (api.server.address() as { port: number }).port;
  ports.service = (service.server.address() as { port: number }).port;
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.close(), service?.close()]);
  await scorer?.close();
  await harness?.cleanup();
});

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** One HTTP/1.1 request through Node's client (keeps what the client itself refuses to send out). */
function send(port: number, method: string, path: string, headers: Record<string, string>, body: string | undefined): Promise<Answer | 'client-refused'> {
  return new Promise((resolve, reject) => {
    let req;
    try {
      req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false, timeout: 10_000 }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: text }));
      });
    } catch {
      resolve('client-refused'); // an invalid method, path or header Node's client will not send
      return;
    }
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${path}`)));
    req.end(body);
  });
}

/** Raw bytes on a fresh connection; resolves with the status line's code, or 0 if the server just closed. */
function sendRaw(port: number, bytes: string): Promise<{ status: number; raw: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let raw = '';
    socket.setEncoding('latin1');
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (chunk: string) => {
      raw += chunk;
      // One answer is enough: keep-alive would otherwise wait for the next request.
      if (raw.includes('\r\n\r\n')) socket.end();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(raw)?.[1] ?? 0), raw }));
    // Half-close after the bytes: the server answers what it got at once instead of waiting for more.
    socket.on('connect', () => socket.end(bytes, 'latin1'));
  });
}

function expectControllerAnswer(answer: Answer, method: string): void {
  expect(answer.status, answer.body).toBeLessThan(500);
  if (answer.status < 400 || method === 'HEAD') return;
  expect(answer.contentType).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(answer.body) as { type: string; title: string; status: number; detail: string; code: string };
  expect(isApiErrorCode(body.code)).toBe(true);
  expect(body).toMatchObject({ type: `/api/v1/problems/${body.code}`, status: answer.status });
  expect(answer.body.length).toBeLessThan(8_192);
}

function expectServiceAnswer(answer: Answer, method: string): void {
  expect(answer.status, answer.body).toBeLessThan(500);
  if (answer.status < 400 || method === 'HEAD') return;
  const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
  expect(typeof body.error.code).toBe('string');
  expect(typeof body.error.message).toBe('string');
  expect(answer.body.length).toBeLessThan(2_048);
}

const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PURGE');
const segment = fc.oneof(
  fc.constantFrom('prediction-service', 'demo', 'op-1', '..', '.', '%2e%2e', '%00', '%ff', '%', '%zz', '*', ''),
  fc.string({ maxLength: 20 }).map((s) => encodeURIComponent(s)),
  fc.integer({ min: 100, max: 300 }).map((n) => 'x'.repeat(n)),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
);
const controllerPath = fc.oneof(
  fc.constantFrom('/healthz', '/readyz', '/metrics', '/api/v1/status', '/api/v1/history', '/api/v1/policies', '/api/v1/openapi.json', '/api/v1/webhooks/alertmanager'),
  fc.tuple(fc.constantFrom('/api/v1/targets/', '/api/v1/operations/', '/api/v1/problems/'), segment, fc.constantFrom('', '/rollback', '/rollforward', '/pause', '/resume', '/x')).map(([a, b, c]) => `${a}${b}${c}`),
  fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
);
const query = fc.oneof(fc.constant(''), fc.constantFrom('?limit=5', '?limit=-1', '?limit=1e9', '?format=markdown', '?since=yesterday', '?token=abc', '?a=%ff', '?target=../x'), fc.string({ maxLength: 30 }).map((s) => `?${encodeURIComponent(s)}`));
const contentType = fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/problem+json', '', 'application/json; charset=latin1');
const authorization = fc.constantFrom(undefined, `Bearer ${TOKEN}`, `bearer ${TOKEN}`, 'Bearer wrong-token-0123456789abcd', 'Basic Zm9vOmJhcg==', 'Bearer', '', `Bearer ${TOKEN} extra`);
const jsonish = fc.oneof(fc.json(), fc.constantFrom('{"reason":"fuzz"}', '{"duration":"30m","reason":"fuzz"}', '{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"DemoHighErrorRate"},"startsAt":"2026-11-27T10:00:00Z","fingerprint":"fz"}]}', '{"price":1,"volatility":0.1}', '{"instances":[{"price":1}]}'));
const body = fc.oneof(fc.constant(undefined), jsonish, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }));
const headerValue = fc.string({ maxLength: 40 }).filter((s) => /^[\t\x20-\x7e]*$/.test(s));

const requestArb = (paths: fc.Arbitrary<string>) =>
  fc.record({ method, path: paths, query, contentType, authorization, actor: fc.option(headerValue), extraName: fc.option(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/)), extraValue: headerValue, body });

function headersOf(r: { contentType: string | undefined; authorization: string | undefined; actor: string | null; extraName: string | null; extraValue: string }): Record<string, string> {
  return {
    ...(r.contentType === undefined ? {} : { 'content-type': r.contentType }),
    ...(r.authorization === undefined ? {} : { authorization: r.authorization }),
    ...(r.actor === null ? {} : { 'x-guardrail-actor': r.actor }),
    ...(r.extraName === null ? {} : { [r.extraName]: r.extraValue }),
  };
}

const rawHead = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.tuple(method, fc.string({ maxLength: 60 }), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', ''), fc.array(fc.string({ unit: 'binary', maxLength: 60 }), { maxLength: 4 })).map(
    ([m, p, v, lines]) => `${m} ${p} ${v}\r\n${lines.join('\r\n')}\r\n\r\n`,
  ),
  fc.tuple(fc.nat(5_000), fc.string({ maxLength: 50 })).map(([length, text]) => `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nTransfer-Encoding: chunked\r\n\r\n${text}`),
);

describe('fuzz over the wire', () => {
  it('the controller API (real runtime behind it): never 5xx, every error an RFC 9457 problem', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb(controllerPath), async (r) => {
        const answer = await send(ports.api, r.method, `${r.path}${r.query}`, headersOf(r), r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body);
        if (answer !== 'client-refused') expectControllerAnswer(answer, r.method);
      }),
      { numRuns: RUNS },
    );
    await harness.runtime.idle();
  }, 120_000);

  it('the prediction service (real model behind /predict): never 5xx, every error in its catalogue', async () => {
    const servicePath = fc.oneof(fc.constantFrom('/predict', '/predict/batch', '/health', '/version', '/metrics'), fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`));
    await fc.assert(
      fc.asyncProperty(requestArb(servicePath), async (r) => {
        const answer = await send(ports.service, r.method, `${r.path}${r.query}`, headersOf(r), r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body);
        if (answer !== 'client-refused') expectServiceAnswer(answer, r.method);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('raw bytes to both servers: never 5xx; anything answered to garbage is a catalogue 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(rawHead, async (bytes) => {
        for (const port of [ports.api, ports.service]) {
          const { status, raw } = await sendRaw(port, bytes);
          expect(status, raw.slice(0, 200)).toBeLessThan(500);
          if (status >= 400) {
            const text = raw.slice(raw.indexOf('\r\n\r\n') + 4);
            if (text !== '') expect(() => JSON.parse(text) as unknown, raw.slice(0, 300)).not.toThrow();
          }
        }
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('both servers still answer afterwards (no crash, no wedged listener)', async () => {
    expect((await send(ports.api, 'GET', '/healthz', {}, undefined)) as Answer).toMatchObject({ status: 200 });
    expect((await send(ports.service, 'GET', '/health', {}, undefined)) as Answer).toMatchObject({ status: 200 });
    expect(harness.runtime.readiness().ready).toBe(true);
  });
});
