// The response of GET /api/v1/dashboard: the same views as /status and /history (one type per concept),
// plus each target's timeline (TimelineView), in one answer so the page polls a single URL.
import { historyResponseSchema, statusResponseSchema } from './schemas.js';

const conditionTimelineSchema = {
  type: 'object',
  required: ['conditionId', 'comparison', 'threshold', 'values', 'verdicts'],
  properties: {
    conditionId: { type: 'string' },
    comparison: { type: 'string', enum: ['above', 'below'] },
    threshold: { type: 'number' },
    values: {
      type: 'array',
      items: { type: ['number', 'null'] },
      description: 'per bucket, the value furthest on the breaching side; null = none seen',
    },
    verdicts: {
      type: 'string',
      description: 'one character per bucket, the worst verdict: b BREACH, u UNKNOWN, o OK, . no tick',
    },
  },
} as const;

const timelineSchema = {
  type: 'object',
  required: ['target', 'bucketSeconds', 'from', 'to', 'phases', 'conditions'],
  properties: {
    target: { type: 'string' },
    bucketSeconds: { type: 'integer' },
    from: {
      type: 'string',
      description: 'ISO 8601, start of the first bucket (an hour ago, or the first tick if later)',
    },
    to: { type: 'string', description: 'ISO 8601, end of the last bucket' },
    phases: { type: 'array', items: { type: ['string', 'null'] } },
    conditions: { type: 'array', items: conditionTimelineSchema },
  },
} as const;

export const dashboardResponseSchema = {
  type: 'object',
  required: ['now', 'ready', 'detail', 'targets', 'timelines', 'history'],
  properties: {
    now: {
      type: 'string',
      description: "ISO 8601, the controller's clock (durations on the page are counted from it)",
    },
    ready: statusResponseSchema.properties.ready,
    detail: statusResponseSchema.properties.detail,
    targets: statusResponseSchema.properties.targets,
    timelines: { type: 'array', items: timelineSchema },
    history: historyResponseSchema,
  },
} as const;
