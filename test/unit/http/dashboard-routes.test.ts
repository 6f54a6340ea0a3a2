// The dashboard page and its data endpoint over inject(): the shell loads without a token and carries a
// strict CSP; the data needs the operator token unless GUARDRAIL_DASHBOARD_PUBLIC=true; a missing build
// is a clear 503, not an empty page.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP } from '../../../controller/http/routes/dashboard-routes.js';
import { buildDashboard } from '../../../scripts/build-dashboard.js';
import { AUTH, WEBHOOK_AUTH, makeApi } from './api-fixtures.js';

let dir: string;

beforeAll(async () => {
  dir = await buildDashboard(join(await mkdtemp(join(tmpdir(), 'guardrail-dashboard-')), 'dashboard'));
});

afterAll(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

describe('the dashboard page', () => {
  it('serves the shell, script and stylesheet without a token, each with the CSP (self only, nothing inline)', async () => {
    const { app } = makeApi({ dashboardDir: dir });
    for (const [path, type] of [
      ['/', 'text/html'],
      ['/dashboard/app.js', 'text/javascript'],
      ['/dashboard/app.css', 'text/css'],
    ] as const) {
      const res = await app.inject({ method: 'GET', url: path });
      expect(res.statusCode, path).toBe(200);
      expect(res.headers['content-type']).toContain(type);
      expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline');
    const html = (await app.inject({ method: 'GET', url: '/' })).body;
    // No inline script or style for the CSP to block, and no data in the shell.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
    expect(html).toContain('<script type="module" src="/dashboard/app.js"></script>');
    expect(html).not.toContain('prediction-service');
  });

  it('answers 503 GR_ERR_NOT_BUILT when the page was not built', async () => {
    const { app } = makeApi({ dashboardDir: join(dir, 'missing') });
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      code: 'GR_ERR_NOT_BUILT',
      detail: expect.stringContaining('npm run build'),
    });
  });
});

describe('GET /api/v1/dashboard', () => {
  it('needs the operator token by default, even though the API reads are open', async () => {
    const { app, controller } = makeApi({ dashboardDir: dir });
    expect((await app.inject({ method: 'GET', url: '/api/v1/status' })).statusCode).toBe(200);
    const anonymous = await app.inject({ method: 'GET', url: '/api/v1/dashboard' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'GR_ERR_UNAUTHORIZED' });
    const wrong = await app.inject({
      method: 'GET',
      url: '/api/v1/dashboard',
      headers: { authorization: 'Bearer not-the-token-0123456789' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/dashboard', headers: WEBHOOK_AUTH })).statusCode,
    ).toBe(403);
    expect(controller.calls.filter((c) => c.method === 'history')).toEqual([]);
  });

  it('with the token: status, timelines and the newest history in one answer, not cacheable', async () => {
    const { app, controller } = makeApi({ dashboardDir: dir });
    controller.timelineViews = [
      {
        target: 'prediction-service',
        bucketSeconds: 10,
        from: '2026-11-27T08:59:40.000Z',
        to: '2026-11-27T09:00:10.000Z',
        phases: ['watching', null, 'rolling_back'],
        conditions: [
          {
            conditionId: 'reasons.high-error-rate',
            comparison: 'above',
            threshold: 0.05,
            values: [0.01, null, 0.2],
            verdicts: 'o.b',
          },
        ],
      },
    ];
    const res = await app.inject({ method: 'GET', url: '/api/v1/dashboard', headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toMatchObject({
      now: '2026-11-27T09:00:00.000Z',
      ready: true,
      targets: [{ target: 'prediction-service', phase: 'rolled_back' }],
    });
    expect(body.targets[0].rollback).toMatchObject({
      warningsSent: 0,
      nextWarningAt: '2026-11-27T09:45:00.000Z',
    });
    expect(body.timelines).toEqual(controller.timelineViews);
    expect(body.history).toMatchObject({
      total: 1,
      limit: 20,
      offset: 0,
      entries: [{ id: 'rb-prediction-service-1' }],
    });
    expect(controller.calls).toContainEqual({ method: 'history', query: { limit: 20, offset: 0 } });
  });

  it('is open with dashboardPublic, and the OpenAPI document says which', async () => {
    const { app } = makeApi({ dashboardDir: dir, dashboardPublic: true });
    expect((await app.inject({ method: 'GET', url: '/api/v1/dashboard' })).statusCode).toBe(200);
    const spec = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(spec.paths['/api/v1/dashboard'].get.security).toEqual([]);
    expect(spec.paths['/']).toBeUndefined();
    const closed = makeApi({ dashboardDir: dir }).app;
    const closedSpec = (await closed.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(closedSpec.paths['/api/v1/dashboard'].get.security).toEqual([{ bearer: [] }]);
  });

  it('dashboardPublic never opens what protectReads closes', async () => {
    const { app } = makeApi({ dashboardDir: dir, dashboardPublic: true, protectReads: true });
    expect((await app.inject({ method: 'GET', url: '/api/v1/dashboard' })).statusCode).toBe(401);
  });
});
