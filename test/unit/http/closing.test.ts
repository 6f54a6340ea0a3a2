// A request whose headers are still arriving when the server starts closing gets a 503 in its server's own
// error format, with `Connection: close`, instead of Fastify's built-in body: the controller answers the
// RFC 9457 problem GR_ERR_UNAVAILABLE, the service `{error: {code: "SHUTTING_DOWN"}}`.
import { connect } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { buildApi } from '../../../controller/http/build-api.js';
import { buildApp } from '../../../service/build-app.js';
import { BaselineScorer } from '../../../service/scorers/baseline-scorer.js';
import { createRecordingController } from './recording-controller.js';

const quiet = pino({ level: 'silent' });

interface Closable {
  readonly server: { address(): unknown };
  close(): Promise<unknown>;
}

/** Starts a request, lets the server begin closing, then finishes the request's headers; returns the answer. */
async function requestDuringClose(app: Closable, path: string): Promise<{ head: string; body: unknown }> {
  const { port } = app.server.address() as { port: number };
  const socket = connect(port, '127.0.0.1');
  let raw = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (raw += chunk));
  const done = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const closed = app.close();
  // Fastify marks itself closing in an onClose step a moment after close() is called.
  await new Promise((resolve) => setTimeout(resolve, 100));
  socket.write('\r\n');
  await done;
  await closed;
  const split = raw.indexOf('\r\n\r\n');
  return { head: raw.slice(0, split), body: JSON.parse(raw.slice(split + 4)) as unknown };
}

describe('a request that arrives while the server closes', () => {
  it('the controller answers 503 GR_ERR_UNAVAILABLE as a problem', async () => {
    const app = buildApi({ controller: createRecordingController(), registry: new Registry(), logger: quiet, auth: { token: 'operator-token-0123456789abcdef', protectReads: false } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { head, body } = await requestDuringClose(app, '/api/v1/status');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head.toLowerCase()).toContain('content-type: application/problem+json');
    expect(head.toLowerCase()).toContain('connection: close');
    expect(body).toMatchObject({ type: '/api/v1/problems/GR_ERR_UNAVAILABLE', status: 503, code: 'GR_ERR_UNAVAILABLE' });
  });

  it('the service answers 503 SHUTTING_DOWN in its catalogue', async () => {
    const scorer = new BaselineScorer({ volatility_mean: 0.01, volatility_std: 0.005, threshold_std: 2, spike_probability: 0.8 }, Date.now());
    const app = buildApp({ scorer, logger: quiet, registry: new Registry(), config: { variant: 'baseline' } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { head, body } = await requestDuringClose(app, '/health');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(body).toEqual({ error: { code: 'SHUTTING_DOWN', message: 'the service is shutting down; retry on another instance' } });
  });
});
