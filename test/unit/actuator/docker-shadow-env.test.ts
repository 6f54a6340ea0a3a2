// The shadow's variables on the containers the Docker actuator creates (labels.ts shadowEnv, and planClone's
// `env`): a baseline points at its candidate by name, the candidate's own value removes them, no shadow leaves
// them alone; and the clone check lets exactly these differ from the source, nothing else.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planClone, unclonedPowers, type CloneRequest, type SourceContainer } from '../../../controller/adapters/docker/clone-config.js';
import { parseShadowContainerName, shadowContainerName, shadowEnv } from '../../../controller/adapters/docker/labels.js';

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/docker/inspect-all-fields.json'), 'utf8')) as SourceContainer;
const shadow = { value: null, share: 0.5, timeoutMs: 800 };
const request: CloneRequest = {
  variable: 'MODEL_VARIANT',
  value: 'baseline',
  rollbackId: 'rb-1',
  targetName: 'api',
  expectedVariant: 'baseline',
  strategy: 'start-first',
  image: fixture.Config.Image,
  name: 'api-1',
};

describe('shadowEnv', () => {
  it('a container of another value than the candidate\'s mirrors to `<name>-guardrail-shadow` on the verify port', () => {
    expect(shadowEnv(shadow, 'baseline', 'guardrail-api-1', 8000)).toEqual({
      SHADOW_URL: 'http://guardrail-api-1-guardrail-shadow:8000',
      SHADOW_SHARE: '0.5',
      SHADOW_TIMEOUT_MS: '800',
    });
  });

  it('the candidate\'s own value (a roll-forward, the candidate itself) removes them; no shadow leaves them alone', () => {
    expect(shadowEnv(shadow, null, 'guardrail-api-1', 8000)).toEqual({ SHADOW_URL: null, SHADOW_SHARE: null, SHADOW_TIMEOUT_MS: null });
    expect(shadowEnv(undefined, 'baseline', 'guardrail-api-1', 8000)).toEqual({});
  });

  it('names: the candidate of a container, and back', () => {
    expect(shadowContainerName('api-1')).toBe('api-1-guardrail-shadow');
    expect(parseShadowContainerName('api-1-guardrail-shadow')).toEqual({ currentName: 'api-1' });
    expect(parseShadowContainerName('-guardrail-shadow')).toBeUndefined();
    expect(parseShadowContainerName('api-1-guardrail-standby')).toBeUndefined();
  });
});

describe('planClone with the shadow\'s variables', () => {
  it('sets them beside the variable, keeping every other entry', () => {
    const plan = planClone(fixture, { ...request, env: shadowEnv(shadow, 'baseline', 'api-1', 8000) });
    expect(plan.create.Env).toEqual([...fixture.Config.Env, 'MODEL_VARIANT=baseline', 'SHADOW_URL=http://api-1-guardrail-shadow:8000', 'SHADOW_SHARE=0.5', 'SHADOW_TIMEOUT_MS=800']);
  });

  it('removes them from a source that had them (the candidate cloned from a mirroring baseline)', () => {
    const baseline = planClone(fixture, { ...request, env: shadowEnv(shadow, 'baseline', 'api-1', 8000) }).create;
    const mirroring = structuredClone(fixture);
    mirroring.Config.Env = baseline.Env ?? [];
    const candidate = planClone(mirroring, { ...request, value: null, expectedVariant: 'ml', env: shadowEnv(shadow, null, 'api-1', 8000) });
    expect(candidate.create.Env).toEqual(fixture.Config.Env);
  });

  it('the clone check allows exactly the managed variables to differ', () => {
    const create = planClone(fixture, { ...request, env: shadowEnv(shadow, 'baseline', 'api-1', 8000) }).create;
    expect(unclonedPowers(fixture, create, 'MODEL_VARIANT', ['SHADOW_URL', 'SHADOW_SHARE', 'SHADOW_TIMEOUT_MS'])).toEqual([]);
    expect(unclonedPowers(fixture, create, 'MODEL_VARIANT')).toEqual(['an environment variable other than MODEL_VARIANT differs']);
    const sneaky = { ...create, Env: [...(create.Env ?? []), 'NODE_OPTIONS=--require /tmp/x.js'] };
    expect(unclonedPowers(fixture, sneaky, 'MODEL_VARIANT', ['SHADOW_URL'])).toEqual(['an environment variable other than MODEL_VARIANT, SHADOW_URL differs']);
  });
});
