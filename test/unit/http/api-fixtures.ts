// Builds the API over a RecordingController with a pino logger that writes into an array, so tests can
// assert on log lines (and that tokens never appear in them).
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { buildApi } from '../../../controller/http/build-api.js';
import { LOG_REDACT_CENSOR, LOG_REDACT_PATHS } from '../../../controller/http/log-redact.js';
import type { AuthConfig } from '../../../controller/http/auth.js';
import { API_ERRORS, type ApiErrorCode } from '../../../controller/http/errors.js';
import { T0, createRecordingController, type RecordingController } from './recording-controller.js';

export const TOKEN = 'operator-token-0123456789abcdef';
export const WEBHOOK_TOKEN = 'webhook-token-0123456789abcdef';
export const AUTH = { authorization: `Bearer ${TOKEN}` } as const;
export const WEBHOOK_AUTH = { authorization: `Bearer ${WEBHOOK_TOKEN}` } as const;

export interface ApiFixture {
  readonly app: ReturnType<typeof buildApi>;
  readonly controller: RecordingController;
  readonly registry: Registry;
  readonly logs: string[];
}

export interface MakeApiOptions {
  readonly protectReads?: boolean;
  /** null: no separate webhook token configured. */
  readonly webhookToken?: string | null;
  readonly bodyLimit?: number;
  readonly dashboardPublic?: boolean;
  /** The built dashboard page; dist/dashboard/ by default. */
  readonly dashboardDir?: string;
}

export function makeApi(options: MakeApiOptions = {}, controller: RecordingController = createRecordingController()): ApiFixture {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'debug', redact: { paths: [...LOG_REDACT_PATHS], censor: LOG_REDACT_CENSOR } }, sink);
  const registry = new Registry();
  const webhookToken = options.webhookToken === undefined ? WEBHOOK_TOKEN : options.webhookToken;
  const auth: AuthConfig = {
    token: TOKEN,
    protectReads: options.protectReads ?? false,
    ...(options.dashboardPublic === undefined ? {} : { dashboardPublic: options.dashboardPublic }),
    ...(webhookToken === null ? {} : { webhookToken }),
  };
  const app = buildApi({
    controller,
    registry,
    logger,
    auth,
    now: () => T0,
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    ...(options.dashboardDir === undefined ? {} : { dashboardDir: options.dashboardDir }),
  });
  return { app, controller, registry, logs };
}

/** Forget recorded calls and logs between tests that share one app (building one costs ~100 ms). */
export function resetFixture(fixture: ApiFixture): void {
  fixture.controller.calls.length = 0;
  fixture.controller.inFlight.clear();
  fixture.controller.operationOutcome = null;
  fixture.controller.submitAnswer = null;
  fixture.logs.length = 0;
}

/** A valid Alertmanager v4 payload with the given alerts (extra fields as Alertmanager 0.25 sends them). */
export function alertmanagerPayload(alerts: readonly { status?: 'firing' | 'resolved'; alertname?: string; fingerprint?: string; startsAt?: string }[]) {
  const built = alerts.map((a) => ({
    status: a.status ?? 'firing',
    labels: { alertname: a.alertname ?? 'PredictionErrorsHigh', service: 'prediction-service', severity: 'critical' },
    annotations: { summary: 'errors above 5%' },
    startsAt: a.startsAt ?? '2026-11-27T08:59:00.123456789Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=x',
    fingerprint: a.fingerprint ?? 'a1b2c3d4e5f60718',
  }));
  return {
    version: '4',
    groupKey: '{}:{alertname="PredictionErrorsHigh"}',
    truncatedAlerts: 0,
    status: built.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'guardrail',
    groupLabels: { alertname: 'PredictionErrorsHigh' },
    commonLabels: { alertname: 'PredictionErrorsHigh' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: built,
  };
}

/** The RFC 9457 body the API answers for `code` with this detail. */
export function problem(code: ApiErrorCode, detail: string, details?: unknown) {
  const body = { type: `/api/v1/problems/${code}`, title: API_ERRORS[code].title, status: API_ERRORS[code].status, detail, code };
  return details === undefined ? body : { ...body, details };
}
