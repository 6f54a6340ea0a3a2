// Shared by the shadow-mirroring tests: real candidates on loopback (the real service, or small node:http
// servers that misbehave on purpose), a serving app with mirroring on, and the shadow_* metrics read back.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Registry } from 'prom-client';
import { buildApp, type App } from '../../../service/build-app.js';
import { METRIC } from '../../../service/contract.js';
import type { Scorer } from '../../../service/scorers/scorer.js';
import type { ShadowConfig } from '../../../service/shadow/shadow-config.js';
import { close, listen } from '../../helpers/http-recorder.js';
import { NOW_MS, logSink, metricValue, type LogSink } from './app-fixtures.js';

export interface ReceivedMirror {
  readonly path: string;
  readonly contentType: string | undefined;
  /** The X-Guardrail-Shadow header every mirror carries. */
  readonly marker: string | string[] | undefined;
  readonly body: string;
}

export type CandidateHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface Candidate {
  readonly url: string;
  readonly received: ReceivedMirror[];
  /** TCP connections accepted so far (keep-alive pooling keeps this small). */
  connections(): number;
  stop(): Promise<void>;
}

/** A real HTTP server that reads each request's body, records it, then lets `handler` answer (or not). */
export async function startCandidate(handler: CandidateHandler): Promise<Candidate> {
  const received: ReceivedMirror[] = [];
  let connections = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], marker: req.headers['x-guardrail-shadow'], body });
      handler(req, res, body);
    });
  });
  server.on('connection', () => connections++);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, received, connections: () => connections, stop: () => close(server) };
}

/** Answers every request with `status` and `body`. */
export const answer =
  (status: number, body: string): CandidateHandler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  };

/** Never answers (the connection stays open until the server stops). */
export const hang: CandidateHandler = () => undefined;

/** Writes bytes that are not HTTP and closes the connection. */
export const garbage: CandidateHandler = (req) => {
  (req.socket as Socket).end('THIS IS NOT HTTP\r\n\r\n');
};

/** Resets the connection without an answer. */
export const reset: CandidateHandler = (req) => {
  (req.socket as Socket).resetAndDestroy();
};

export interface ShadowTestApp {
  readonly app: App;
  readonly registry: Registry;
  readonly sink: LogSink;
}

/** The serving app (fixed clock, like testApp) with mirroring to `shadow.url`. */
export function shadowApp(scorer: Scorer, shadow: Partial<ShadowConfig> & { url: string }): ShadowTestApp {
  const registry = new Registry();
  const sink = logSink('warn');
  const config = { variant: scorer.variant, shadow: { share: 1, timeoutMs: 1000, maxInFlight: 64, ...shadow } };
  const app = buildApp({ scorer, logger: sink.logger, registry, config, now: () => NOW_MS });
  return { app, registry, sink };
}

export interface ShadowCounts {
  readonly ok: number;
  readonly error: number;
  readonly timeout: number;
  readonly unreachable: number;
  readonly dropped: number;
  readonly agree: number;
  readonly differ: number;
  /** Observations of shadow_request_duration_seconds. */
  readonly timed: number;
}

export async function shadowCounts(registry: Registry): Promise<ShadowCounts> {
  const outcome = (o: string): Promise<number> => metricValue(registry, METRIC.shadowRequests, { outcome: o });
  const text = await registry.getSingleMetricAsString(METRIC.shadowDuration);
  const timed = Number(/^shadow_request_duration_seconds_count (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
  return {
    ok: await outcome('ok'),
    error: await outcome('error'),
    timeout: await outcome('timeout'),
    unreachable: await outcome('unreachable'),
    dropped: await metricValue(registry, METRIC.shadowDropped, { reason: 'queue_full' }),
    agree: await metricValue(registry, METRIC.shadowPredictions, { agreement: 'agree' }),
    differ: await metricValue(registry, METRIC.shadowPredictions, { agreement: 'differ' }),
    timed,
  };
}

/** Mirrors settled so far (every outcome). */
export function settled(c: ShadowCounts): number {
  return c.ok + c.error + c.timeout + c.unreachable;
}

/** Polls until `settledCount` mirrors have an outcome; returns the counts then. */
export async function waitForMirrors(registry: Registry, settledCount: number, timeoutMs = 10_000): Promise<ShadowCounts> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await shadowCounts(registry);
    if (settled(counts) >= settledCount) return counts;
    if (Date.now() > deadline) throw new Error(`only ${settled(counts)} of ${settledCount} mirrors settled within ${timeoutMs} ms: ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
