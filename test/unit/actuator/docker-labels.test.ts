import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  candidateKey,
  oldContainerName,
  originalValueFromLabels,
  parseOldContainerName,
  readEnvVariable,
  withEnvVariable,
} from '../../../controller/adapters/docker/labels.js';

describe('env helpers', () => {
  it('reads a value, an empty value and an absence', () => {
    expect(readEnvVariable(['A=1', 'MODEL_VARIANT=baseline'], 'MODEL_VARIANT')).toBe('baseline');
    expect(readEnvVariable(['MODEL_VARIANT='], 'MODEL_VARIANT')).toBe('');
    expect(readEnvVariable(['MODEL_VARIANT_X=1'], 'MODEL_VARIANT')).toBeNull();
  });

  it('replaces in place, appends, removes', () => {
    expect(withEnvVariable(['A=1', 'V=x', 'B=2'], 'V', 'y')).toEqual(['A=1', 'V=y', 'B=2']);
    expect(withEnvVariable(['A=1'], 'V', 'y')).toEqual(['A=1', 'V=y']);
    expect(withEnvVariable(['A=1', 'V=x', 'VV=z'], 'V', null)).toEqual(['A=1', 'VV=z']);
    expect(withEnvVariable(['V=x', 'A=1', 'V=dup'], 'V', 'y')).toEqual(['V=y', 'A=1']);
  });

  it('for any env, sets exactly the variable and keeps every other entry in order', () => {
    const entry = fc
      .tuple(fc.constantFrom('A', 'B', 'MODEL_VARIANT', 'MODEL_VARIANTS', 'PATH'), fc.string())
      .map(([k, v]) => `${k}=${v}`);
    fc.assert(
      fc.property(fc.array(entry), fc.option(fc.string(), { nil: null }), (env, value) => {
        const next = withEnvVariable(env, 'MODEL_VARIANT', value);
        expect(readEnvVariable(next, 'MODEL_VARIANT')).toBe(value);
        expect(next.filter((e) => !e.startsWith('MODEL_VARIANT='))).toEqual(
          env.filter((e) => !e.startsWith('MODEL_VARIANT=')),
        );
        expect(next.filter((e) => e.startsWith('MODEL_VARIANT=')).length).toBe(value === null ? 0 : 1);
      }),
    );
  });
});

describe('names and labels', () => {
  it('round-trips the old container name, even when names contain the infix characters', () => {
    expect(oldContainerName('api-1', 'rb-7')).toBe('api-1-guardrail-old-rb-7');
    expect(parseOldContainerName('api-1-guardrail-old-rb-7')).toEqual({
      originalName: 'api-1',
      rollbackId: 'rb-7',
    });
    expect(parseOldContainerName('api-1')).toBeUndefined();
    expect(parseOldContainerName('-guardrail-old-x')).toBeUndefined();
  });

  it('treats original absence as a real answer, not as missing', () => {
    expect(originalValueFromLabels({ 'guardrail.original-absent': 'true' }, 'baseline')).toBeNull();
    expect(originalValueFromLabels({ 'guardrail.original-value': 'ml' }, 'baseline')).toBe('ml');
    expect(originalValueFromLabels({}, 'baseline')).toBe('baseline');
    expect(originalValueFromLabels({}, null)).toBeNull();
  });
});

describe('candidateKey (LABEL.candidate on a shadow container)', () => {
  it('is empty without a candidate, and the same for the same candidate whatever the order of its variables', () => {
    expect(candidateKey(undefined)).toBe('');
    expect(candidateKey({ env: { B: '2', A: '1' } })).toBe(candidateKey({ env: { A: '1', B: '2' } }));
    expect(candidateKey({ env: { A: '1' } })).toBe('{"image":null,"env":{"A":"1"}}');
    expect(candidateKey({ image: 'guardrail/service:1', env: {} })).not.toBe(candidateKey({ image: 'guardrail/service:2', env: {} }));
    expect(candidateKey({ image: 'guardrail/service:1', env: {} })).not.toBe(candidateKey({ env: {} }));
  });
});
