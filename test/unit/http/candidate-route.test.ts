// POST …/rollforward with `candidate` (issue #19): sets the shadow's candidate instead of rolling forward; `null` clears it.
// 202 with the candidate; every refusal an RFC 9457 problem with its own code and message: malformed 400,
// not allowed by the policy 403, the actuator cannot run it 422, the target not rolled back 409 with its phase.
import { beforeEach, describe, expect, it } from 'vitest';
import type { CandidateView } from '../../../controller/ports/controller.js';
import { AUTH, makeApi, problem, resetFixture } from './api-fixtures.js';
import { T0 } from './recording-controller.js';

const URL = '/api/v1/targets/prediction-service/rollforward';
const fixture = makeApi();
const { app, controller } = fixture;
beforeEach(() => resetFixture(fixture));

function post(payload: unknown) {
  return app.inject({ method: 'POST', url: URL, headers: AUTH, payload: payload as object });
}

const IMAGE = 'registry.example.com/team/prediction-service:1.4.2';
const view: CandidateView = { image: IMAGE, env: { MODEL_DIR: '/models/prediction/v7' }, setBy: 'api-token', setAt: new Date(T0).toISOString(), reason: 'fixed tag', promotedAt: null };

describe('setting a candidate', () => {
  it('reaches the port as a candidate request (not a roll-forward) and answers 202 with what was set', async () => {
    controller.submitAnswer = (_request, operation) => ({ outcome: 'accepted', operation, candidate: view });
    const res = await post({ reason: 'fixed tag', candidate: { image: IMAGE, env: { MODEL_DIR: '/models/prediction/v7' } } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ operation: { kind: 'candidate' }, candidate: view });
    expect(controller.calls).toEqual([
      { method: 'submit', target: 'prediction-service', request: { kind: 'candidate', actor: 'api-token', reason: 'fixed tag', candidate: { image: IMAGE, env: { MODEL_DIR: '/models/prediction/v7' } } } },
    ]);
  });

  it('image alone or env alone; the reason defaults to "new candidate"', async () => {
    expect((await post({ candidate: { image: IMAGE } })).statusCode).toBe(202);
    expect((await post({ candidate: { env: { FAULT_ML_ERROR_RATE: '0' } } })).statusCode).toBe(202);
    expect(controller.calls.map((c) => (c.method === 'submit' ? c.request : undefined))).toEqual([
      { kind: 'candidate', actor: 'api-token', reason: 'new candidate', candidate: { image: IMAGE, env: {} } },
      { kind: 'candidate', actor: 'api-token', reason: 'new candidate', candidate: { env: { FAULT_ML_ERROR_RATE: '0' } } },
    ]);
  });

  it('malformed bodies are 400 and never reach the port', async () => {
    for (const candidate of [{}, { env: {} }, { image: '' }, { image: 'a b' }, { env: { model_dir: 'x' } }, { env: { A: 1 } }, { image: IMAGE, tag: 'x' }, 'img']) {
      const res = await post({ candidate });
      expect(res.statusCode, JSON.stringify(candidate)).toBe(400);
      expect(res.json<{ code: string }>().code).toBe('GR_ERR_VALIDATION');
    }
    expect(controller.calls).toEqual([]);
  });

  it('force with a candidate is refused: setting a candidate does not roll forward', async () => {
    const res = await post({ candidate: { image: IMAGE }, force: true });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(problem('GR_ERR_VALIDATION', 'force applies to a roll-forward; setting a candidate does not roll forward (it is shadowed and gated first): send one or the other'));
    expect(controller.calls).toEqual([]);
  });
});

describe('refused candidates', () => {
  it('not allowed by the policy: 403 GR_ERR_CANDIDATE_NOT_ALLOWED with what the policy allows', async () => {
    const allowed = { images: ['registry.example.com/team/prediction-service:1.4.*'], env: { MODEL_DIR: ['/models/prediction/*'] } };
    const reason = 'image "registry.example.com/team/prediction-service:1.5.0" is not allowed by rollforward.candidates.images in policies/p.yaml (allowed: "registry.example.com/team/prediction-service:1.4.*")';
    controller.submitAnswer = () => ({ outcome: 'candidate_refused', why: 'not_allowed', reason, allowed });
    const res = await post({ candidate: { image: 'registry.example.com/team/prediction-service:1.5.0' } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual(problem('GR_ERR_CANDIDATE_NOT_ALLOWED', reason, { allowed }));
  });

  it('malformed by the runtime\'s reference check: 400', async () => {
    controller.submitAnswer = () => ({ outcome: 'candidate_refused', why: 'malformed', reason: '"UPPER/case" is not an image reference' });
    const res = await post({ candidate: { image: 'UPPER/case' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(problem('GR_ERR_VALIDATION', '"UPPER/case" is not an image reference'));
  });

  it('the actuator cannot run it (Swarm, an image on the process actuator): 422 GR_ERR_CANDIDATE_UNSUPPORTED', async () => {
    const reason = 'target prediction-service cannot run a candidate: prediction-service: a Swarm service has no shadow';
    controller.submitAnswer = () => ({ outcome: 'candidate_refused', why: 'unsupported', reason });
    const res = await post({ candidate: { env: { MODEL_DIR: '/models/prediction/v7' } } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual(problem('GR_ERR_CANDIDATE_UNSUPPORTED', reason));
  });

  it('the target is not rolled back: 409 with the phase', async () => {
    const reason = 'target prediction-service is watching: a candidate runs in shadow only while the target is rolled back (set it after a rollback)';
    controller.submitAnswer = () => ({ outcome: 'conflict', reason, inFlight: null, phase: 'watching' });
    const res = await post({ candidate: { image: IMAGE } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual(problem('GR_ERR_CONFLICT', reason, { inFlight: null, phase: 'watching' }));
  });
});

describe('clearing a candidate: "candidate": null', () => {
  it('reaches the port as a clear request and answers 202 with the operation; the reason defaults to "candidate cleared"', async () => {
    const res = await post({ candidate: null });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ operation: { kind: 'candidate' } });
    expect((await post({ candidate: null, reason: 'wrong image' })).statusCode).toBe(202);
    expect(controller.calls.map((c) => (c.method === 'submit' ? c.request : undefined))).toEqual([
      { kind: 'clear_candidate', actor: 'api-token', reason: 'candidate cleared' },
      { kind: 'clear_candidate', actor: 'api-token', reason: 'wrong image' },
    ]);
  });

  it('with force: 400, it does not roll forward either', async () => {
    const res = await post({ candidate: null, force: false });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ code: string }>().code).toBe('GR_ERR_VALIDATION');
    expect(controller.calls).toEqual([]);
  });

  it('nothing to clear: 409 with the runtime\'s reason', async () => {
    const reason = 'target prediction-service has no candidate to clear';
    controller.submitAnswer = () => ({ outcome: 'conflict', reason, inFlight: null, phase: 'rolled_back' });
    const res = await post({ candidate: null });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual(problem('GR_ERR_CONFLICT', reason, { inFlight: null, phase: 'rolled_back' }));
  });
});
