// Both HTTP servers close slow clients at their documented time, give or take a second, and say so in
// their error format: the controller API (docs/api.md: headers 10 s, request 30 s) and the prediction
// service (docs/service.md: the same). A slow-header client sends a header byte every second and never
// finishes; a slow-body client sends complete headers and then one body byte every second. Before, the
// service had no request timeout (a trickled body was open after 100 s) and the controller's "30 s" closed
// at 60-90 s. Oversized and malformed headers get the catalogue's 431 and 400. The cases run side by side:
// the file takes about 31 s.
import { connect } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../../controller/http/build-api.js';
import { HTTP_TIMEOUTS as API_TIMEOUTS } from '../../../controller/http/http-limits.js';
import { buildApp } from '../../../service/build-app.js';
import { HTTP_TIMEOUTS as SERVICE_TIMEOUTS } from '../../../service/http-limits.js';
import { BaselineScorer } from '../../../service/scorers/baseline-scorer.js';
import { createRecordingController } from '../../unit/http/recording-controller.js';

const TOLERANCE_MS = 1_000;
const quiet = pino({ level: 'silent' });

interface Exchange {
  /** ms from the first byte sent to the server closing the connection. */
  readonly closedAfterMs: number;
  readonly response: string;
}

/** Opens a connection, writes `head` at once and then one byte of `drip` per second until the server closes it. */
function slowClient(port: number, head: string, drip: string): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    let started = 0;
    let timer: NodeJS.Timeout | undefined;
    let sent = 0;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (response += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset after answering; what it answered and when it closed is what counts.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ closedAfterMs: Date.now() - started, response });
    });
    socket.on('connect', () => {
      started = Date.now();
      socket.write(head);
      timer = setInterval(() => {
        if (sent < drip.length && !socket.destroyed) socket.write(drip[sent++] ?? '');
      }, 1_000);
    });
  });
}

/** Sends `request` whole and resolves with everything the server sent before it closed. */
function oneShot(port: number, request: string): Promise<string> {
  return slowClient(port, request, '').then((e) => e.response);
}

function bodyOf(response: string): unknown {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as unknown;
}

const slowHeaders = 'POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\n';
const headerDrip = 'X-Slow: ' + 'a'.repeat(60);
const TOKEN = 'operator-token-0123456789abcdef';
const slowBodyHead = (path: string) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n`;

let apiPort = 0;
let servicePort = 0;
const api = buildApi({ controller: createRecordingController(), registry: new Registry(), logger: quiet, auth: { token: TOKEN, protectReads: false } });
const service = buildApp({
  scorer: new BaselineScorer({ volatility_mean: 0.01, volatility_std: 0.005, threshold_std: 2, spike_probability: 0.8 }, Date.now()),
  logger: quiet,
  registry: new Registry(),
  config: { variant: 'baseline' },
});

beforeAll(async () => {
  await Promise.all([api.listen({ host: '127.0.0.1', port: 0 }), service.listen({ host: '127.0.0.1', port: 0 })]);
  apiPort = (api.server.address() as { port: number }).port;
  servicePort = (service.server.address() as { port: number }).port;
});

afterAll(async () => {
  await Promise.all([api.close(), service.close()]);
});

describe('the documented timeouts', () => {
  it('are the ones the servers run with', () => {
    for (const [app, timeouts] of [
      [api, API_TIMEOUTS],
      [service, SERVICE_TIMEOUTS],
    ] as const) {
      expect({ headers: app.server.headersTimeout, request: app.server.requestTimeout, keepAlive: app.server.keepAliveTimeout }).toEqual({
        headers: timeouts.headersMs,
        request: timeouts.requestMs,
        keepAlive: timeouts.keepAliveMs,
      });
    }
  });

  it.concurrent(
    'slow headers and slow bodies are closed at 10 s and 30 s (±1 s) with a 408 in each server\'s format',
    async () => {
      const [apiHeaders, apiBody, serviceHeaders, serviceBody] = await Promise.all([
        slowClient(apiPort, slowHeaders, headerDrip),
        slowClient(apiPort, slowBodyHead('/api/v1/webhooks/alertmanager'), '{'.repeat(200)),
        slowClient(servicePort, slowHeaders, headerDrip),
        slowClient(servicePort, slowBodyHead('/predict'), '{'.repeat(200)),
      ]);
      const within = (exchange: Exchange, expectedMs: number) => {
        expect(exchange.closedAfterMs, `closed after ${exchange.closedAfterMs} ms, documented ${expectedMs} ms`).toBeGreaterThanOrEqual(expectedMs - TOLERANCE_MS);
        expect(exchange.closedAfterMs, `closed after ${exchange.closedAfterMs} ms, documented ${expectedMs} ms`).toBeLessThanOrEqual(expectedMs + TOLERANCE_MS);
      };
      console.info(`closed after (ms): api headers ${apiHeaders.closedAfterMs}, api body ${apiBody.closedAfterMs}, service headers ${serviceHeaders.closedAfterMs}, service body ${serviceBody.closedAfterMs}`);
      within(apiHeaders, API_TIMEOUTS.headersMs);
      within(apiBody, API_TIMEOUTS.requestMs);
      within(serviceHeaders, SERVICE_TIMEOUTS.headersMs);
      within(serviceBody, SERVICE_TIMEOUTS.requestMs);
      for (const exchange of [apiHeaders, apiBody]) {
        expect(exchange.response).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\nContent-Type: application\/problem\+json/);
        expect(bodyOf(exchange.response)).toMatchObject({ type: '/api/v1/problems/GR_ERR_REQUEST_TIMEOUT', status: 408, code: 'GR_ERR_REQUEST_TIMEOUT' });
      }
      for (const exchange of [serviceHeaders, serviceBody]) {
        expect(exchange.response).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
        expect(bodyOf(exchange.response)).toMatchObject({ error: { code: 'REQUEST_TIMEOUT' } });
      }
    },
    60_000,
  );

  it.concurrent('oversized and malformed headers get 431 and 400 in the catalogue\'s format', async () => {
    const big = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`;
    const malformed = 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n';
    const [apiBig, apiBad, serviceBig, serviceBad] = await Promise.all([oneShot(apiPort, big), oneShot(apiPort, malformed), oneShot(servicePort, big), oneShot(servicePort, malformed)]);
    expect(apiBig).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(apiBig)).toMatchObject({ status: 431, code: 'GR_ERR_HEADERS_TOO_LARGE' });
    expect(apiBad).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(apiBad)).toMatchObject({ status: 400, code: 'GR_ERR_VALIDATION', detail: 'malformed HTTP request (HPE_INVALID_HEADER_TOKEN)' });
    expect(bodyOf(serviceBig)).toMatchObject({ error: { code: 'HEADERS_TOO_LARGE' } });
    expect(bodyOf(serviceBad)).toMatchObject({ error: { code: 'BAD_REQUEST' } });
  });
});
