// JSON schemas of the API: one source for validation, the OpenAPI document and response serialisation.
// Request bodies are strict (unknown fields refused, no type coercion); the Alertmanager payload is
// tolerant of extra fields because Alertmanager adds some between versions.

export const TARGET_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$';
/** Pause durations: `30m`, `2h`, `1h30m`, `1d`. Bounds (1 minute .. 7 days) are checked by the route. */
export const PAUSE_DURATION_PATTERN = '^([0-9]{1,6}(s|m|h|d))+$';
export const MAX_REASON_LENGTH = 500;
export const MAX_WEBHOOK_ALERTS = 1000;

const reason = { type: 'string', minLength: 1, maxLength: MAX_REASON_LENGTH, pattern: '\\S' } as const;

export const targetParamsSchema = {
  type: 'object',
  required: ['target'],
  properties: { target: { type: 'string', pattern: TARGET_NAME_PATTERN, description: 'a policy target name' } },
} as const;

export const operationParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const rollbackBodySchema = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: { reason: { ...reason, description: 'why (kept in history, alerts and logs)' } },
} as const;

export const optionalReasonBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { reason },
} as const;

export const rollforwardBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reason,
    force: { type: 'boolean', description: 'roll forward even while the shadow candidate breaches the roll-forward gate (else 409 with the evidence)' },
    candidate: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      minProperties: 1,
      description:
        'set the shadow\'s candidate instead of rolling forward (202; it is shadowed and gated before it serves): an image, environment, or both, as the policy\'s rollforward.candidates allows; null clears a candidate not promoted yet (the shadow runs the image\'s own ML again; 409 when there is none)',
      properties: {
        image: { type: 'string', minLength: 1, maxLength: 255, pattern: '^\\S+$', description: 'the image reference the candidate runs, e.g. registry.example.com/team/prediction-service:1.4.2' },
        env: {
          type: 'object',
          minProperties: 1,
          maxProperties: 32,
          propertyNames: { pattern: '^[A-Z_][A-Z0-9_]*$', maxLength: 128 },
          additionalProperties: { type: 'string', maxLength: 1024 },
          description: 'environment entries set on the candidate, on top of the service\'s',
        },
      },
    },
  },
} as const;

export const pauseBodySchema = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: {
    duration: { type: 'string', pattern: PAUSE_DURATION_PATTERN, description: 'e.g. 30m, 2h, 1h30m (1m .. 7d)' },
    until: { type: 'string', format: 'date-time', description: 'ISO 8601 expiry, in the future, at most 7 days ahead' },
    reason,
  },
  // "Exactly one of duration / until" is checked by the route (pause-window.ts) for a clearer message.
  description: 'exactly one of duration or until',
} as const;

export const historyQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    target: { type: 'string', pattern: TARGET_NAME_PATTERN },
    since: { type: 'string', format: 'date-time' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
    format: { type: 'string', enum: ['json', 'markdown'], default: 'json' },
  },
} as const;

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** Alertmanager's webhook payload, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export const alertmanagerPayloadSchema = {
  type: 'object',
  required: ['version', 'status', 'alerts'],
  properties: {
    version: { type: 'string', const: '4' },
    status: { type: 'string', enum: ['firing', 'resolved'] },
    receiver: { type: 'string' },
    groupKey: { type: 'string' },
    truncatedAlerts: { type: 'integer', minimum: 0 },
    groupLabels: stringMap,
    commonLabels: stringMap,
    commonAnnotations: stringMap,
    externalURL: { type: 'string' },
    alerts: {
      type: 'array',
      maxItems: MAX_WEBHOOK_ALERTS,
      items: {
        type: 'object',
        required: ['status', 'labels', 'startsAt', 'fingerprint'],
        properties: {
          status: { type: 'string', enum: ['firing', 'resolved'] },
          labels: { ...stringMap, maxProperties: 100 },
          annotations: stringMap,
          startsAt: { type: 'string', format: 'date-time' },
          endsAt: { type: 'string' },
          generatorURL: { type: 'string' },
          fingerprint: { type: 'string', minLength: 1, maxLength: 128 },
        },
      },
    },
  },
} as const;

// ---- responses (documentation and serialisation; nested views stay open so new fields pass through) ----

const openObject = { type: 'object', additionalProperties: true } as const;
const nullableOpenObject = { type: ['object', 'null'], additionalProperties: true } as const;

export const operationSchema = {
  $id: 'Operation',
  type: 'object',
  required: ['id', 'kind', 'target', 'submittedAt', 'status', 'message'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['rollback', 'rollforward', 'pause', 'resume', 'webhook', 'candidate'] },
    target: { type: 'string' },
    submittedAt: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'done', 'refused', 'failed'] },
    message: { type: ['string', 'null'] },
  },
} as const;

export const operationResponseSchema = {
  type: 'object',
  required: ['operation'],
  properties: {
    operation: { $ref: 'Operation#' },
    warning: { type: 'string', description: 'accepted, but worth knowing: a roll-forward on UNKNOWN shadow evidence, or forced over a BREACH' },
    candidate: { ...openObject, description: 'the candidate set (a `candidate` body): image, env, setBy, setAt, reason, promotedAt' },
  },
} as const;

/** The active rollback of a target (ActiveRollbackView); open so a newer controller may add fields. */
const activeRollbackSchema = {
  type: ['object', 'null'],
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    reason: { type: 'string' },
    trigger: openObject,
    startedAt: { type: 'string', description: 'ISO 8601, the true start (kept across restarts)' },
    ageSeconds: { type: 'integer' },
    baselineBreach: nullableOpenObject,
    warningsSent: { type: 'integer', description: '"rollback still active" warnings sent so far' },
    nextWarningAt: { type: 'string', description: 'ISO 8601: when the next of those warnings falls due (policy warnAfter, then every warnEvery)' },
  },
} as const;

export const statusResponseSchema = {
  type: 'object',
  required: ['targets'],
  properties: {
    ready: { type: 'boolean' },
    detail: { type: 'string' },
    targets: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        properties: {
          target: { type: 'string' },
          policy: { type: 'string' },
          phase: { type: 'string' },
          phaseSince: { type: 'string' },
          variant: { type: ['string', 'null'] },
          rollback: activeRollbackSchema,
          pause: nullableOpenObject,
          hold: nullableOpenObject,
          lastEvaluation: nullableOpenObject,
          lastError: { type: ['string', 'null'] },
          inFlight: nullableOpenObject,
          standbys: { type: 'array', items: openObject },
          shadow: { ...nullableOpenObject, description: 'the ML candidate in shadow and its roll-forward gate (null without rollforward.shadow)' },
        },
      },
    },
  },
} as const;

export const historyResponseSchema = {
  type: 'object',
  required: ['entries', 'total', 'limit', 'offset'],
  properties: {
    entries: { type: 'array', items: openObject },
    total: { type: 'integer' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
  },
} as const;

export const policiesResponseSchema = {
  type: 'object',
  required: ['policies', 'loadedAt', 'lastReloadError'],
  properties: {
    policies: { type: 'array', items: openObject },
    loadedAt: { type: ['string', 'null'] },
    lastReloadError: nullableOpenObject,
  },
} as const;

export const webhookResponseSchema = {
  type: 'object',
  required: ['received', 'queued', 'operations', 'duplicates', 'resolvedIgnored', 'unmatched'],
  properties: {
    received: { type: 'integer', description: 'alerts in the payload' },
    queued: { type: 'integer', description: 'firing alerts that matched a trigger and were queued' },
    operations: { type: 'array', items: { $ref: 'Operation#' } },
    duplicates: { type: 'integer' },
    resolvedIgnored: { type: 'integer' },
    unmatched: { type: 'integer' },
  },
} as const;

/** `{400: {$ref: 'ApiError#'}, ...}` for the statuses a route can answer with an error body. */
/** Error answers are RFC 9457 problems: `application/problem+json`, the ApiError schema (errors.ts). */
export type ErrorResponse = { readonly content: { readonly 'application/problem+json': { readonly schema: { readonly $ref: 'ApiError#' } } } };

export function errorResponses(...statuses: readonly number[]): Record<number, ErrorResponse> {
  const out: Record<number, ErrorResponse> = {};
  for (const status of statuses) out[status] = { content: { 'application/problem+json': { schema: { $ref: 'ApiError#' } } } };
  return out;
}
