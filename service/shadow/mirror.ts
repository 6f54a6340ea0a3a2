// Request mirroring to a shadow candidate (docs/service/shadow-and-metrics.md, "Shadow mirroring"). The prediction routes
// report each request they scored (`served`); once Fastify has sent that reply (onResponse) and only if it
// was a 200, the same JSON body goes to the candidate, fire-and-forget, and its answer is paired with the
// served predictions in the shadow_* metrics. The user's reply is already on the wire before anything here
// runs, so a candidate that hangs, refuses, crashes or answers garbage changes neither its body nor its
// latency; at most SHADOW_MAX_IN_FLIGHT mirrors are outstanding, one more is dropped and counted.
// Nothing here throws into the request path. With SHADOW_URL unset none of this is even created.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AppInstance, ServedHook } from '../routes/predict-routes.js';
import type { Score } from '../scorers/scorer.js';
import { SHADOW_HEADER, candidateClient, type CandidateClient, type Exchange } from './candidate-client.js';
import { pairPredictions } from './compare.js';
import { FailureLog } from './failure-log.js';
import type { ShadowConfig } from './shadow-config.js';
import { createShadowMetrics, type ShadowMetrics } from './shadow-metrics.js';

export interface ShadowMirror {
  /** Sends one mirror now (or drops it when the bound is reached). */
  send(route: string, body: unknown, served: readonly Score[]): void;
  /** Mirrors outstanding right now. */
  inFlight(): number;
  /** Stops mirroring and destroys the candidate's pooled connections; later results are not counted. */
  close(): void;
}

interface MirrorParts {
  readonly config: ShadowConfig;
  readonly metrics: ShadowMetrics;
  readonly client: CandidateClient;
  readonly failures: FailureLog;
}

function record(parts: MirrorParts, route: string, served: readonly Score[], exchange: Exchange): void {
  const { metrics, failures } = parts;
  failures.settled();
  if (exchange.outcome === 'timeout' || exchange.outcome === 'unreachable') {
    metrics.requests.inc({ outcome: exchange.outcome });
    failures.failed(exchange.outcome, exchange.detail);
    return;
  }
  metrics.duration.observe(exchange.seconds);
  const pairing = exchange.outcome === 'ok' ? pairPredictions(route, exchange.body, served) : { problem: exchange.detail };
  if ('problem' in pairing) {
    metrics.requests.inc({ outcome: 'error' });
    failures.failed('error', pairing.problem);
    return;
  }
  metrics.requests.inc({ outcome: 'ok' });
  if (pairing.agree > 0) metrics.predictions.inc({ agreement: 'agree' }, pairing.agree);
  if (pairing.differ > 0) metrics.predictions.inc({ agreement: 'differ' }, pairing.differ);
}

export function createMirror(parts: MirrorParts): ShadowMirror {
  const { config, metrics, client, failures } = parts;
  let outstanding = 0;
  let closed = false;
  return {
    send(route, body, served) {
      if (closed) return;
      if (outstanding >= config.maxInFlight) {
        metrics.dropped.inc({ reason: 'queue_full' });
        failures.failed('queue_full', `${outstanding} mirrors outstanding (SHADOW_MAX_IN_FLIGHT=${config.maxInFlight})`);
        return;
      }
      let text: string;
      try {
        text = JSON.stringify(body);
      } catch (err) {
        failures.failed('error', `cannot serialise the request body: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      outstanding++;
      client.post(route, text, (exchange) => {
        outstanding--;
        if (closed) return;
        try {
          record(parts, route, served, exchange);
        } catch (err) {
          failures.failed('error', `recording the mirror failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
    },
    inFlight: () => outstanding,
    close() {
      closed = true;
      client.close();
    },
  };
}

/**
 * Wires mirroring into the app: the shadow metrics, the candidate's client, an onResponse hook, and the
 * hook the prediction routes call with what they served. Returns that hook.
 */
export function attachShadow(app: AppInstance, config: ShadowConfig, registry: Registry, log: Logger): ServedHook {
  const mirror = createMirror({
    config,
    metrics: createShadowMetrics(registry, config.url),
    client: candidateClient({ baseUrl: config.url, timeoutMs: config.timeoutMs, maxSockets: config.maxInFlight }),
    failures: new FailureLog(log, config.url),
  });
  log.info(
    { shadow_url: config.url, shadow_share: config.share, shadow_timeout_ms: config.timeoutMs, shadow_max_in_flight: config.maxInFlight },
    `shadow mirroring on: ${config.share * 100}% of answered /predict and /predict/batch requests go to ${config.url} as well`,
  );
  // Requests scored and sampled, waiting for their reply to be sent.
  const pending = new WeakMap<object, readonly Score[]>();
  app.addHook('onResponse', (request, reply, done) => {
    const served = pending.get(request);
    if (served !== undefined) {
      pending.delete(request);
      // A mirror is never mirrored again (no loop through a SHADOW_URL that leads back here).
      // send() never throws: its failures are counted and logged at most once a minute.
      if (reply.statusCode === 200 && request.headers[SHADOW_HEADER] === undefined) mirror.send(request.routeOptions.url ?? request.url, request.body, served);
    }
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    mirror.close();
    done();
  });
  const share = config.share;
  return (request, served) => {
    if (share < 1 && Math.random() >= share) return;
    pending.set(request, served);
  };
}
