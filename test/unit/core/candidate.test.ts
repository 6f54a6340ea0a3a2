// The CLI's repeatable `--candidate` words (core/candidate.ts): KEY=VALUE is environment, anything else an
// image, at most one image and each key once; every mistake names the word.
import { describe, expect, it } from 'vitest';
import { parseCandidateRefs } from '../../../controller/core/index.js';

describe('parseCandidateRefs', () => {
  it('an image, environment entries, or both, in any order', () => {
    expect(parseCandidateRefs(['registry.example.com/team/prediction-service:1.4.2'])).toEqual({ image: 'registry.example.com/team/prediction-service:1.4.2', env: {} });
    expect(parseCandidateRefs(['MODEL_DIR=/models/v2', 'ONNX_THREADS=2'])).toEqual({ env: { MODEL_DIR: '/models/v2', ONNX_THREADS: '2' } });
    expect(parseCandidateRefs(['MODEL_DIR=/models/v2', 'localhost:5000/svc@sha256:abc'])).toEqual({ image: 'localhost:5000/svc@sha256:abc', env: { MODEL_DIR: '/models/v2' } });
  });

  it('KEY=VALUE keeps every = after the first, and an empty value; a lower-case key is not a variable (read as an image)', () => {
    expect(parseCandidateRefs(['EXTRA=a=b', 'EMPTY='])).toEqual({ env: { EXTRA: 'a=b', EMPTY: '' } });
    expect(parseCandidateRefs(['model_dir=/x'])).toEqual({ image: 'model_dir=/x', env: {} });
  });

  it.each([
    [['a.example/svc:1', 'b.example/svc:2'], '--candidate "b.example/svc:2": an image is given already ("a.example/svc:1"); at most one image (KEY=VALUE entries are read as environment, with KEY in capitals)'],
    [['MODEL_DIR=/a', 'MODEL_DIR=/b'], '--candidate MODEL_DIR= is given twice ("/a" and "/b"): give each variable once'],
    [['  '], '--candidate needs a value: an image reference or KEY=VALUE'],
    [[], '--candidate needs a value: an image reference or KEY=VALUE'],
  ])('refuses %j', (refs, error) => {
    expect(parseCandidateRefs(refs)).toEqual({ error });
  });
});
