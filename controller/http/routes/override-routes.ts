// Manual overrides: POST /api/v1/targets/:target/{rollback,rollforward,pause,resume}. Each names a policy
// target (never a container); the port queues it on the target's engine queue and answers at once with
// an operation id (202). The operator token is required; the actor is its identity plus X-Guardrail-Actor.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OperationRequest } from '../../ports/controller.js';
import { actorOf } from '../actor.js';
import type { ApiInstance, RouteDeps } from '../api-instance.js';
import { requireToken } from '../auth.js';
import { ApiError } from '../errors.js';
import { pauseUntil } from '../pause-window.js';
import { errorResponses, operationResponseSchema, optionalReasonBodySchema, pauseBodySchema, rollbackBodySchema, rollforwardBodySchema, targetParamsSchema } from '../schemas.js';

/** An override body is a reason and maybe a duration: 64 KiB is far more than enough. */
export const OVERRIDE_BODY_LIMIT_BYTES = 64 * 1024;

interface OverrideBody {
  readonly reason?: string;
  readonly duration?: string;
  readonly until?: string;
  readonly force?: boolean;
  /** null clears the candidate not promoted yet. */
  readonly candidate?: { readonly image?: string; readonly env?: Readonly<Record<string, string>> } | null;
}

type OverrideRequest = FastifyRequest<{ Params: { target: string }; Body: OverrideBody }>;

const DEFAULT_REASON = { rollforward: 'manual roll-forward', resume: 'manual resume', candidate: 'new candidate', clear: 'candidate cleared' } as const;

type ToRequest = (request: OverrideRequest, actor: string) => OperationRequest;

export function registerOverrideRoutes(app: ApiInstance, deps: RouteDeps): void {
  const { now } = deps;
  const route = (action: OperationRequest['kind'], summary: string, body: object, toRequest: ToRequest): void =>
    registerOverride(app, deps, { action, summary, body, toRequest });

  route('rollback', 'Roll the target back to its rollback value now (reason required)', rollbackBodySchema, (request, actor) => ({
    kind: 'rollback',
    actor,
    reason: request.body.reason ?? '',
  }));

  route('rollforward', 'Restore the normal variant after a rollback (409 with the shadow evidence while the candidate breaches the gate, unless force); with `candidate`, set the shadow\'s candidate instead (it is gated before it serves); `"candidate": null` clears it', rollforwardBodySchema, (request, actor) =>
    rollforwardRequest(request.body, actor),
  );

  route('pause', 'Pause automation for a duration (1m..7d) or until a time', pauseBodySchema, (request, actor) => {
    const window = pauseUntil({ duration: request.body.duration, until: request.body.until }, now());
    if (!window.ok) throw new ApiError('GR_ERR_VALIDATION', window.message);
    return { kind: 'pause', actor, reason: request.body.reason ?? '', untilMs: window.untilMs };
  });

  route('resume', 'End a pause: automation resumes at once', optionalReasonBodySchema, (request, actor) => ({
    kind: 'resume',
    actor,
    reason: request.body.reason ?? DEFAULT_REASON.resume,
  }));
}

/** A roll-forward, or (with `candidate`) the setting or clearing (null) of the shadow's candidate, which does not roll forward. */
function rollforwardRequest(body: OverrideBody, actor: string): OperationRequest {
  const given = body.candidate;
  if (given === undefined) {
    return { kind: 'rollforward', actor, reason: body.reason ?? DEFAULT_REASON.rollforward, ...(body.force === true ? { force: true } : {}) };
  }
  if (body.force !== undefined) throw new ApiError('GR_ERR_VALIDATION', 'force applies to a roll-forward; setting a candidate does not roll forward (it is shadowed and gated first): send one or the other');
  if (given === null) return { kind: 'clear_candidate', actor, reason: body.reason ?? DEFAULT_REASON.clear };
  const candidate = { ...(given.image === undefined ? {} : { image: given.image }), env: given.env ?? {} };
  return { kind: 'candidate', actor, reason: body.reason ?? DEFAULT_REASON.candidate, candidate };
}

interface OverrideRoute {
  readonly action: OperationRequest['kind'];
  readonly summary: string;
  readonly body: object;
  readonly toRequest: ToRequest;
}

function registerOverride(app: ApiInstance, deps: RouteDeps, { action, summary, body, toRequest }: OverrideRoute): void {
  app.post<{ Params: { target: string }; Body: OverrideBody }>(
    `/api/v1/targets/:target/${action}`,
    {
      bodyLimit: OVERRIDE_BODY_LIMIT_BYTES,
      onRequest: [requireToken(deps.auth, 'operator')],
      // A bare POST (no body, no Content-Type) means "no reason given", not a malformed request.
      preValidation: (request, _reply, done) => {
        if (request.body === undefined || request.body === null) request.body = {};
        done();
      },
      schema: {
        tags: ['override'],
        summary,
        security: [{ bearer: [] }],
        params: targetParamsSchema,
        body,
        headers: { type: 'object', properties: { 'x-guardrail-actor': { type: 'string', description: 'who acts (sanitised: letters, digits, ._@- up to 64)' } } },
        response: { 202: operationResponseSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, ...(action === 'rollforward' ? [422] : []), 500) },
      },
    },
    async (request, reply) => {
      const identity = request.tokenIdentity ?? 'api-token';
      const operation = toRequest(request, actorOf(identity, request.headers['x-guardrail-actor']));
      return submit(deps.controller, request, reply, operation);
    },
  );
}

async function submit(controller: RouteDeps['controller'], request: OverrideRequest, reply: FastifyReply, operation: OperationRequest) {
  const { target } = request.params;
  const outcome = await controller.submit(target, operation);
  switch (outcome.outcome) {
    case 'accepted':
      request.log.info({ target, kind: operation.kind, actor: operation.actor, operation: outcome.operation.id }, 'manual operation accepted');
      return reply.code(202).send({
        operation: outcome.operation,
        ...(outcome.warning === undefined ? {} : { warning: outcome.warning }),
        ...(outcome.candidate === undefined ? {} : { candidate: outcome.candidate }),
      });
    case 'unknown_target':
      throw new ApiError('GR_ERR_UNKNOWN_TARGET', `no policy has target ${JSON.stringify(outcome.target)}`);
    case 'conflict': {
      // Name the operation in flight, unless the port's reason already does.
      const busy = outcome.inFlight;
      const named = busy === null || outcome.reason.includes(busy.id) ? '' : ` (operation ${busy.id}, ${busy.kind}, ${busy.status})`;
      const shadow = outcome.shadow === undefined ? {} : { shadow: outcome.shadow };
      const phase = outcome.phase === undefined ? {} : { phase: outcome.phase };
      throw new ApiError('GR_ERR_CONFLICT', `${outcome.reason}${named}`, { inFlight: busy, ...shadow, ...phase });
    }
    case 'candidate_refused':
      if (outcome.why === 'malformed') throw new ApiError('GR_ERR_VALIDATION', outcome.reason);
      if (outcome.why === 'unsupported') throw new ApiError('GR_ERR_CANDIDATE_UNSUPPORTED', outcome.reason);
      throw new ApiError('GR_ERR_CANDIDATE_NOT_ALLOWED', outcome.reason, { allowed: outcome.allowed });
  }
}
