// The policy's allow-list of candidates (runtime/candidate-allow.ts): anchored glob matching of the image
// and of each environment value, and each refusal with its message naming the policy file and what it allows.
import { describe, expect, it } from 'vitest';
import type { CandidateAllowList, Policy } from '../../../controller/core/index.js';
import { refuseCandidate } from '../../../controller/runtime/candidate-allow.js';
import { shadowPolicy } from '../core/fixtures.js';

const FILE = 'policies/prediction-service.yaml';
const ALLOW: CandidateAllowList = {
  images: ['registry.example.com/team/prediction-service:1.4.*', 'registry.example.com/team/prediction-service@sha256:*'],
  env: { MODEL_DIR: ['/models/prediction/*'], ONNX_THREADS: ['[1-4]'] },
};

function policy(candidates?: CandidateAllowList): Policy {
  const base = shadowPolicy();
  return { ...base, rollforward: { ...base.rollforward, ...(candidates === undefined ? {} : { candidates }) } };
}

describe('refuseCandidate', () => {
  it('allows what every pattern admits: the image by its tag or digest, each variable by its value', () => {
    expect(refuseCandidate(policy(ALLOW), FILE, { image: 'registry.example.com/team/prediction-service:1.4.2', env: {} })).toBeNull();
    expect(refuseCandidate(policy(ALLOW), FILE, { image: `registry.example.com/team/prediction-service@sha256:${'0123abcd'.repeat(8)}`, env: { MODEL_DIR: '/models/prediction/v7', ONNX_THREADS: '2' } })).toBeNull();
    expect(refuseCandidate(policy(ALLOW), FILE, { env: { MODEL_DIR: '/models/prediction/.v8' } })).toBeNull();
  });

  it('matching is anchored and stops at "/": no other repository, no path escaping the directory, no prefix or suffix', () => {
    const refused = (image: string | undefined, env: Record<string, string> = {}) => refuseCandidate(policy(ALLOW), FILE, { ...(image === undefined ? {} : { image }), env }) !== null;
    expect(refused('registry.example.com/team/prediction-service:1.5.0')).toBe(true);
    expect(refused('evil.example/registry.example.com/team/prediction-service:1.4.2')).toBe(true);
    expect(refused('registry.example.com/team/prediction-service:1.4.2/../../x')).toBe(true);
    expect(refused('registry.example.com/team/prediction-service:1.4.2 ')).toBe(true);
    expect(refused(undefined, { MODEL_DIR: '/models/prediction/v7/../../../etc' })).toBe(true);
    expect(refused(undefined, { MODEL_DIR: '/tmp/models/prediction/v7' })).toBe(true);
    expect(refused(undefined, { ONNX_THREADS: '12' })).toBe(true);
  });

  it.each<[string, CandidateAllowList | undefined, { image?: string; env: Record<string, string> }, string]>([
    ['no allow-list', undefined, { env: { MODEL_DIR: '/models/prediction/v7' } }, `policy ${FILE} allows no candidate: add rollforward.candidates (image and environment patterns) to it to allow one`],
    ['an image not matched', ALLOW, { image: 'docker.io/library/alpine:3', env: {} }, `image "docker.io/library/alpine:3" is not allowed by rollforward.candidates.images in ${FILE} (allowed: "registry.example.com/team/prediction-service:1.4.*", "registry.example.com/team/prediction-service@sha256:*")`],
    ['an image with env patterns only', { images: [], env: ALLOW.env }, { image: 'registry.example.com/team/prediction-service:1.4.2', env: {} }, `image "registry.example.com/team/prediction-service:1.4.2" is not allowed by rollforward.candidates.images in ${FILE} (allowed: none)`],
    ['a variable not listed', ALLOW, { env: { NODE_OPTIONS: '--require /tmp/x.js' } }, `environment variable NODE_OPTIONS is not allowed by rollforward.candidates.env in ${FILE} (allowed: MODEL_DIR, ONNX_THREADS)`],
    ['a value not matched', ALLOW, { env: { MODEL_DIR: '/etc' } }, `MODEL_DIR="/etc" is not allowed by rollforward.candidates.env.MODEL_DIR in ${FILE} (allowed: "/models/prediction/*")`],
    ['an image reference with white space', ALLOW, { image: 'registry.example.com/team/prediction-service:1.4.2 ', env: {} }, '"registry.example.com/team/prediction-service:1.4.2 " is not an image reference (e.g. registry.example.com/team/prediction-service:1.4.2 or ...@sha256:<digest>)'],
    ['a value with a newline', ALLOW, { env: { MODEL_DIR: '/models/prediction/v7\nX=1' } }, 'MODEL_DIR: its value holds a control character (a newline?); refused'],
    ['MODEL_VARIANT, even if a policy listed it', { images: [], env: { MODEL_VARIANT: ['*'] } }, { env: { MODEL_VARIANT: 'baseline' } }, `MODEL_VARIANT chooses the variant and is Guardrail's alone: a candidate never sets it (policy ${FILE})`],
  ])('refuses %s, saying what the policy allows', (_what, allowList, candidate, detail) => {
    const refusal = refuseCandidate(policy(allowList), FILE, candidate);
    expect(refusal?.detail).toBe(detail);
    expect(refusal?.allowed).toEqual(allowList ?? { images: [], env: {} });
  });
});
