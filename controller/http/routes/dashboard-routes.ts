// The dashboard: a static page at `/` (its shell, script and stylesheet hold no data, so they load without
// a token) and its one data endpoint, GET /api/v1/dashboard, which needs the operator token unless
// GUARDRAIL_DASHBOARD_PUBLIC=true. Actions from the page use the ordinary override routes with the token
// the user typed (Authorization header, never a cookie: a cross-site request cannot act).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import type { ApiInstance, RouteDeps } from '../api-instance.js';
import { requireToken } from '../auth.js';
import { dashboardResponseSchema } from '../dashboard-schema.js';
import { ApiError } from '../errors.js';
import { errorResponses } from '../schemas.js';

/** Only this origin's script, style and API; nothing inline, no frames, no forms posting elsewhere. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The history rows the page shows (newest first). */
export const DASHBOARD_HISTORY_LIMIT = 20;

const ASSETS = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
} as const;

/** dist/dashboard/ (built by `npm run build`), seen from the compiled file or from the sources. */
export function defaultDashboardDir(): string | undefined {
  for (const relative of ['../../../dashboard/', '../../../dist/dashboard/']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(join(dir, 'app.js'))) return dir;
  }
  return undefined;
}

function pageHeaders(reply: FastifyReply, type: string): FastifyReply {
  return reply
    .type(type)
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-cache');
}

function registerAssets(app: ApiInstance, dir: string | undefined): void {
  const cache = new Map<string, Buffer>();
  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, { schema: { hide: true } }, async (_request, reply) => {
      if (dir === undefined)
        throw new ApiError('GR_ERR_NOT_BUILT', 'dist/dashboard/ is missing: run `npm run build`');
      let body = cache.get(asset.file);
      if (body === undefined) {
        body = await readFile(join(dir, asset.file)).catch(() => {
          throw new ApiError(
            'GR_ERR_NOT_BUILT',
            `${asset.file} is missing from ${dir}: run \`npm run build\``,
          );
        });
        cache.set(asset.file, body);
      }
      return pageHeaders(reply, asset.type).send(body);
    });
  }
}

export function registerDashboardRoutes(
  app: ApiInstance,
  deps: RouteDeps & { readonly dashboardDir?: string | undefined },
): void {
  const { controller, auth, now } = deps;
  registerAssets(app, deps.dashboardDir ?? defaultDashboardDir());
  const open = auth.dashboardPublic === true && !auth.protectReads;
  app.get(
    '/api/v1/dashboard',
    {
      onRequest: open ? [] : [requireToken(auth, 'operator')],
      schema: {
        tags: ['read'],
        summary:
          "The dashboard page's data: every target's status and last-hour timeline, and the newest history entries",
        security: open ? [] : [{ bearer: [] }],
        response: { 200: dashboardResponseSchema, ...errorResponses(...(open ? [500] : [401, 403, 500])) },
      },
    },
    async (_request, reply) => {
      const { ready, detail } = controller.readiness();
      const history = await controller.history({ limit: DASHBOARD_HISTORY_LIMIT, offset: 0 });
      // Data for one person's eyes: no shared cache may keep it.
      void reply.header('cache-control', 'no-store');
      return {
        now: new Date(now()).toISOString(),
        ready,
        detail,
        targets: controller.status(),
        timelines: controller.timelines(),
        history: {
          entries: history.entries,
          total: history.total,
          limit: DASHBOARD_HISTORY_LIMIT,
          offset: 0,
        },
      };
    },
  );
}
