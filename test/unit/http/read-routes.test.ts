// Health, readiness, metrics, status, history (JSON and the seed's markdown table), policies, operations,
// unknown routes and the OpenAPI document.
import { beforeEach, describe, expect, it } from 'vitest';
import { API_ERRORS } from '../../../controller/http/errors.js';
import { AUTH, makeApi, problem, resetFixture } from './api-fixtures.js';
import { sampleEntry, sampleStatus } from './recording-controller.js';

const fixture = makeApi();
const { app, controller } = fixture;
beforeEach(() => {
  resetFixture(fixture);
  controller.ready = { ready: true, detail: 'policies loaded, state restored' };
  controller.entries = [sampleEntry()];
});

describe('health', () => {
  it('/healthz is 200 while serving', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz follows controller.readiness()', async () => {
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready', detail: 'policies loaded, state restored' });
    controller.ready = { ready: false, detail: 'restoring state' };
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not_ready', detail: 'restoring state' });
  });

  it('/metrics serves the registry in the text format, with the API request counter by route pattern', async () => {
    await app.inject({ method: 'GET', url: '/api/v1/status' });
    await app.inject({ method: 'GET', url: '/no/such/path' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/guardrail_api_requests_total\{method="GET",route="\/api\/v1\/status",status_code="200"\} [1-9]/);
    expect(res.body).toMatch(/guardrail_api_requests_total\{method="GET",route="unmatched",status_code="404"\} 1/);
    expect(res.body).not.toContain('/no/such/path');
  });
});

describe('status, policies, operations', () => {
  it('GET /api/v1/status returns every target view as the port gives it', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/status' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ready: true, detail: 'policies loaded, state restored', targets: [sampleStatus()] });
  });

  it('GET /api/v1/status says why it is empty while the controller is starting', async () => {
    controller.ready = { ready: false, detail: 'starting: loading policies, restoring state, reconciling targets' };
    controller.targets = [];
    const res = await app.inject({ method: 'GET', url: '/api/v1/status' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ready: false, detail: 'starting: loading policies, restoring state, reconciling targets', targets: [] });
  });

  it('GET /api/v1/policies returns the loaded set and the last reload error', async () => {
    controller.policiesView = { ...controller.policiesView, lastReloadError: { at: '2026-11-27T08:30:00.000Z', errors: ['policies/x.yaml:3:1 unknown reason'] } };
    const res = await app.inject({ method: 'GET', url: '/api/v1/policies' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(controller.policiesView);
  });

  it('GET /api/v1/operations/:id of an unknown id -> 404 GR_ERR_NOT_FOUND', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/operations/op-404' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual(problem('GR_ERR_NOT_FOUND', 'no operation "op-404"'));
  });

  it('an unknown route or method -> 404 GR_ERR_NOT_FOUND in the catalogue shape', async () => {
    for (const [method, url] of [['GET', '/nope'], ['DELETE', '/api/v1/status'], ['GET', '/api/v1/targets/prediction-service/rollback']] as const) {
      const res = await app.inject({ method, url, headers: AUTH });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'GR_ERR_NOT_FOUND' });
    }
  });
});

describe('history', () => {
  it('defaults: limit 50, offset 0, passed to the port; answers {entries,total,limit,offset}', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/history' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ entries: [sampleEntry()], total: 1, limit: 50, offset: 0 });
    expect(controller.calls).toEqual([{ method: 'history', query: { limit: 50, offset: 0 } }]);
  });

  it('target, since, limit and offset reach the port (since as ms)', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/history?target=prediction-service&since=2026-11-26T00:00:00Z&limit=10&offset=5' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ limit: 10, offset: 5, total: 1, entries: [] });
    expect(controller.calls).toEqual([{ method: 'history', query: { target: 'prediction-service', sinceMs: Date.parse('2026-11-26T00:00:00Z'), limit: 10, offset: 5 } }]);
  });

  for (const query of ['limit=0', 'limit=501', 'limit=abc', 'limit=1.5', 'offset=-1', 'since=yesterday', 'since=2026-13-01T00:00:00Z', 'format=html', 'target=../x', 'colour=red']) {
    it(`?${query} -> 400 GR_ERR_VALIDATION, port not called`, async () => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/history?${query}` });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'GR_ERR_VALIDATION' });
      expect(controller.calls).toEqual([]);
    });
  }

  it('?format=markdown gives the seed rollback history table as text/markdown', async () => {
    controller.targets = [sampleStatus()]; // rb-prediction-service-1 is active: ongoing
    controller.entries = [
      sampleEntry(),
      sampleEntry({
        id: 'rb-2',
        trigger: { kind: 'manual', actor: 'api-token:alice', reason: 'bad | predictions\nseen' },
        reason: 'bad | predictions\nseen',
        evidence: { policy: 'prediction-service', reason: 'manual', trigger: { kind: 'manual', actor: 'api-token:alice', reason: 'x' }, conditions: [], atMs: 0 },
        startedAt: '2026-11-26T23:10:00.000Z',
        endedAt: null,
        durationSeconds: null,
        result: 'in_progress',
      }),
      sampleEntry({ id: 'rb-3', startedAt: '2026-11-20T10:00:00.000Z', durationSeconds: 3900, result: 'restored', trigger: { kind: 'webhook', alertname: 'PredictionErrorsHigh', labels: {} }, notes: 'baseline unhealthy' }),
    ];
    // limit and offset do not cut the table: it is the whole history, oldest first, paired by target.
    const res = await app.inject({ method: 'GET', url: '/api/v1/history?format=markdown&limit=1&offset=1' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(res.body).toBe(
      [
        '# Rollback History',
        '',
        '| Date | Duration | Reason | Resolved | Notes |',
        '|------|----------|--------|----------|-------|',
        '| 2026-11-20 10:00 UTC | - | high-error-rate: error-ratio=0.1235 > 0.05 for 300s | No | alert PredictionErrorsHigh; switch failed, previous containers restored: baseline unhealthy |',
        '| 2026-11-26 23:10 UTC | - | bad \\| predictions seen | No | manual by api-token:alice; switch in progress; left the baseline without a Guardrail roll-forward |',
        '| 2026-11-27 08:45 UTC | ongoing (5min) | high-error-rate: error-ratio=0.1235 > 0.05 for 300s | ongoing | automatic; baseline verified in 10min |',
        '',
      ].join('\n'),
    );
  });
});

describe('OpenAPI', () => {
  it('documents every route, the bearer scheme and the error catalogue', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>; components: { securitySchemes: unknown; schemas: Record<string, { title?: string; required?: string[]; properties?: { code?: { enum?: string[] } } }> } }>();
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/healthz',
        '/readyz',
        '/metrics',
        '/api/v1/status',
        '/api/v1/history',
        '/api/v1/policies',
        '/api/v1/operations/{id}',
        '/api/v1/targets/{target}/rollback',
        '/api/v1/targets/{target}/rollforward',
        '/api/v1/targets/{target}/pause',
        '/api/v1/targets/{target}/resume',
        '/api/v1/webhooks/alertmanager',
        '/api/v1/problems/{code}',
        '/api/v1/dashboard',
      ].sort(),
    );
    expect(doc.components.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
    expect(doc.paths['/api/v1/targets/{target}/rollback']?.['post']?.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(doc.paths['/api/v1/targets/{target}/rollback']?.['post']?.responses ?? {})).toEqual(expect.arrayContaining(['202', '401', '404', '409', '413', '415']));
    const errorSchema = Object.values(doc.components.schemas).find((s) => s.title === 'ApiError');
    expect(errorSchema?.properties?.code?.enum).toEqual(Object.keys(API_ERRORS));
    expect(errorSchema?.required).toEqual(['type', 'title', 'status', 'detail', 'code']);
    // Error answers are declared as RFC 9457 problems.
    const conflict = doc.paths['/api/v1/targets/{target}/rollback']?.['post']?.responses['409'] as { content?: Record<string, unknown> } | undefined;
    expect(Object.keys(conflict?.content ?? {})).toEqual(['application/problem+json']);
  });
});
