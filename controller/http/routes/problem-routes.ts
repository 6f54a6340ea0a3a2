// GET /api/v1/problems/:code: what each problem `type` (errors.ts) means, so the URI reference every
// error body carries resolves to something. Open like /api/v1/openapi.json: it describes the API only.
import type { ApiInstance } from '../api-instance.js';
import { API_ERRORS, ApiError, PROBLEM_TYPE_PREFIX, isApiErrorCode, problemType } from '../errors.js';
import { errorResponses } from '../schemas.js';

const problemTypeSchema = {
  type: 'object',
  required: ['type', 'code', 'status', 'title'],
  properties: { type: { type: 'string' }, code: { type: 'string' }, status: { type: 'integer' }, title: { type: 'string' } },
} as const;

export function registerProblemRoutes(app: ApiInstance): void {
  app.get<{ Params: { code: string } }>(
    `${PROBLEM_TYPE_PREFIX}:code`,
    {
      schema: {
        tags: ['health'],
        summary: 'The problem type an error body names (RFC 9457 `type`)',
        params: { type: 'object', required: ['code'], properties: { code: { type: 'string', maxLength: 64 } } },
        response: { 200: problemTypeSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { code } = request.params;
      if (!isApiErrorCode(code)) throw new ApiError('GR_ERR_NOT_FOUND', 'no such problem type');
      return { type: problemType(code), code, status: API_ERRORS[code].status, title: API_ERRORS[code].title };
    },
  );
}
