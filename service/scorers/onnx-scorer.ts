// The ML variant: the XGBoost model exported to ONNX (TreeEnsembleClassifier), run in-process by
// onnxruntime-node. One thread per session: with the default thread pool, single-row p99 stalls to
// milliseconds on this 2-core machine (docs/notes/feasibility). Rows are scored through onnxruntime's
// native session, synchronously (onnx-native.ts), from one input buffer reused by every call; the public
// async run() is the fallback when the native session cannot be opened. With the native session open, the
// tree ensemble is also compiled from the same file (trees/: walked in WebAssembly), and scores instead of
// onnxruntime once a start-up self-check shows it bit-identical: an onnxruntime run has a large fixed cost
// that a request arriving after an idle gap pays cold (docs/performance.md).
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import type { RawFeatures } from '../contract.js';
import { FEATURE_NAMES, deriveFeaturesInto } from '../model/features.js';
import { openNativeSession, type NativeSession } from './onnx-native.js';
import { ModelError, type Score, type Scorer, type ScoringEngine } from './scorer.js';
import { chooseEngine, type EngineChoice } from './trees/compiled-engine.js';
import type { CompiledEnsemble } from './trees/tree-ensemble.js';

export interface ModelCard {
  readonly model_version: string;
  /** prediction = probability >= serving_threshold. */
  readonly serving_threshold: number;
}

const INPUT_NAME = 'features';
const N_FEATURES = FEATURE_NAMES.length;
export interface OnnxLoadOptions {
  /** false: never open the native session (tests of the public-API fallback). */
  readonly native?: boolean;
  /** 'onnxruntime': do not compile the ensemble (MODEL_ENGINE; benchmarks compare both). */
  readonly engine?: 'auto' | 'onnxruntime';
}

const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };

export class OnnxScorer implements Scorer {
  readonly variant = 'ml' as const;
  readonly version: string;
  readonly loadedAtMs: number;
  readonly threshold: number;
  /** Defined when the native session is open: scores synchronously (the routes micro-batch through it). */
  readonly scoreNow?: (instances: readonly RawFeatures[]) => readonly Score[];
  readonly #session: ort.InferenceSession;
  readonly #native: NativeSession | undefined;
  readonly #probabilityOutput: string;
  readonly #compiled: CompiledEnsemble | undefined;
  readonly engine: ScoringEngine;
  /** Why this engine scores (the compiler's refusal or the self-check's figures), for the log and /version. */
  readonly engineNote: string;
  /** The native run's input, reused by every call (grown to the largest batch seen). */
  #input = new Float32Array(64 * N_FEATURES);
  /** The compiled ensemble's output, [rows, 2], reused likewise. */
  #output = new Float32Array(64 * 2);

  private constructor(session: ort.InferenceSession, native: NativeSession | undefined, choice: EngineChoice, probabilityOutput: string, card: ModelCard, loadedAtMs: number) {
    this.#session = session;
    this.#native = native;
    this.#compiled = choice.engine === 'compiled-trees' ? choice.ensemble : undefined;
    this.engine = choice.engine === 'compiled-trees' ? 'compiled-trees' : native === undefined ? 'onnxruntime' : 'onnxruntime-native';
    this.engineNote = choice.note;
    this.#probabilityOutput = probabilityOutput;
    this.version = card.model_version;
    this.threshold = card.serving_threshold;
    this.loadedAtMs = loadedAtMs;
    if (native !== undefined) this.scoreNow = (instances) => this.#scoreNative(native, instances);
  }

  /** Scoring through the native session (false: the public async run, as a fallback). */
  get native(): boolean {
    return this.#native !== undefined;
  }

  /** Opens the model and checks its signature; throws an Error naming the file and the problem. */
  static async load(modelPath: string, card: ModelCard, nowMs: number, options: OnnxLoadOptions = {}): Promise<OnnxScorer> {
    let session: ort.InferenceSession;
    try {
      // onnxruntime's own "file doesn't exist" message repeats the path three times; say it once.
      await access(modelPath, constants.R_OK);
    } catch (err) {
      const code = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable';
      throw new Error(`cannot load ONNX model ${modelPath}: ${code === 'ENOENT' ? 'no such file' : code}`, { cause: err });
    }
    try {
      session = await ort.InferenceSession.create(modelPath, SESSION_OPTIONS);
    } catch (err) {
      throw new Error(`cannot load ONNX model ${modelPath}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
    if (!session.inputNames.includes(INPUT_NAME)) {
      throw new Error(`${modelPath}: expected an input named "${INPUT_NAME}", found [${session.inputNames.join(', ')}]`);
    }
    const input = session.inputMetadata.find((m) => m.name === INPUT_NAME);
    const width = input?.isTensor === true ? input.shape[1] : undefined;
    if (typeof width === 'number' && width !== N_FEATURES) {
      throw new Error(`${modelPath}: the model takes ${width} features, deriveFeatures gives ${N_FEATURES} (${FEATURE_NAMES.join(', ')}); retrain or update service/model/features.ts`);
    }
    const output = pickProbabilityOutput(session);
    if (output === undefined) {
      const found = session.outputMetadata.map((m) => `${m.name}${m.isTensor ? `:${m.type}` : ':non-tensor'}`);
      throw new Error(`${modelPath}: no float tensor output of class probabilities, found [${found.join(', ')}]`);
    }
    const native = options.native === false ? undefined : openNativeSession({ modelPath, options: SESSION_OPTIONS, input: INPUT_NAME, output });
    const scorer = new OnnxScorer(session, native, await engineFor(modelPath, native, output, options), output, card, nowMs);
    // A smoke inference at load: a model whose width does not match deriveFeatures fails here, at start-up,
    // not on the first user request.
    await scorer.score([{}]).catch((err: unknown) => {
      throw new Error(`${modelPath}: test inference failed: ${err instanceof Error ? err.message : String(err)}`);
    });
    return scorer;
  }

  async score(instances: readonly RawFeatures[]): Promise<readonly Score[]> {
    if (this.#native !== undefined) return this.#scoreNative(this.#native, instances);
    const n = instances.length;
    const data = new Float32Array(n * N_FEATURES);
    instances.forEach((raw, i) => deriveFeaturesInto(raw, data, i * N_FEATURES));
    let probabilities: Float32Array;
    try {
      const feeds = { [INPUT_NAME]: new ort.Tensor('float32', data, [n, N_FEATURES]) };
      const out = await this.#session.run(feeds, [this.#probabilityOutput]);
      const tensor = out[this.#probabilityOutput];
      probabilities = checkedProbabilities(tensor?.data, n, this.#probabilityOutput);
    } catch (err) {
      throw modelError(err);
    }
    return this.#toScores(probabilities, n);
  }

  #scoreNative(native: NativeSession, instances: readonly RawFeatures[]): readonly Score[] {
    const n = instances.length;
    if (this.#input.length < n * N_FEATURES) this.#input = new Float32Array(2 ** Math.ceil(Math.log2(n)) * N_FEATURES);
    const input = this.#input;
    for (let i = 0; i < n; i++) deriveFeaturesInto(instances[i] ?? {}, input, i * N_FEATURES);
    if (this.#compiled !== undefined) {
      if (this.#output.length < n * 2) this.#output = new Float32Array(this.#input.length / N_FEATURES * 2);
      // false: a row's logistic is one the emulation cannot decide (rare, trees/logistic.ts); onnxruntime scores the call.
      if (this.#compiled.probabilities(input, n, this.#output)) return this.#toScores(this.#output, n);
    }
    let probabilities: Float32Array;
    try {
      probabilities = checkedProbabilities(native.run(input, n, N_FEATURES), n, this.#probabilityOutput);
    } catch (err) {
      throw modelError(err);
    }
    return this.#toScores(probabilities, n);
  }

  #toScores(probabilities: Float32Array, n: number): Score[] {
    const scores: Score[] = new Array<Score>(n);
    for (let i = 0; i < n; i++) {
      // Column 1 is the positive class ("spike"); column 0 is its complement.
      const p = probabilities[i * 2 + 1] ?? Number.NaN;
      if (!Number.isFinite(p)) throw new ModelError(`ONNX model returned a non-finite probability for row ${i}`);
      scores[i] = { prediction: p >= this.threshold ? 1 : 0, probability: p };
    }
    return scores;
  }

  close(): Promise<void> {
    this.#native?.release();
    return this.#session.release();
  }
}

/** The compiled ensemble when the native session is open and the caller did not ask for onnxruntime alone. */
async function engineFor(modelPath: string, native: NativeSession | undefined, output: string, options: OnnxLoadOptions): Promise<EngineChoice> {
  if (native === undefined) return { engine: 'onnxruntime', note: 'the native session is not open: the public onnxruntime API scores' };
  if (options.engine === 'onnxruntime') return { engine: 'onnxruntime', note: 'MODEL_ENGINE=onnxruntime: the tree ensemble is not compiled' };
  return chooseEngine({
    modelPath,
    input: INPUT_NAME,
    output,
    width: N_FEATURES,
    reference: (input, rows) => checkedProbabilities(native.run(input, rows, N_FEATURES), rows, output),
  });
}

function checkedProbabilities(data: unknown, n: number, output: string): Float32Array {
  if (!(data instanceof Float32Array) || data.length !== n * 2) throw new Error(`output ${output} is not a [${n}, 2] float tensor`);
  return data;
}

function modelError(err: unknown): ModelError {
  return new ModelError(`ONNX inference failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/**
 * The class-probability output: a float tensor (ZipMap disabled at export). skl2onnx-style names it
 * `probabilities` / `output_probability`; otherwise the only float tensor output.
 */
function pickProbabilityOutput(session: ort.InferenceSession): string | undefined {
  const floats = session.outputMetadata.filter((m) => m.isTensor && m.type === 'float32');
  const named = floats.find((m) => /prob/i.test(m.name));
  if (named !== undefined) return named.name;
  return floats.length === 1 ? floats[0]?.name : undefined;
}

/** Reads and checks model-card.json; throws an Error naming the file and the problem. */
export async function loadModelCard(path: string): Promise<ModelCard> {
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${path}: expected a JSON object`);
  }
  const card = parsed as Record<string, unknown>;
  const version = card['model_version'];
  const threshold = card['serving_threshold'];
  if (typeof version !== 'string' || version.length === 0) {
    throw new Error(`${path}: model_version must be a non-empty string, got ${JSON.stringify(version)}`);
  }
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold < 1)) {
    throw new Error(`${path}: serving_threshold must be a number in (0, 1), got ${JSON.stringify(threshold)}`);
  }
  return { model_version: version, serving_threshold: threshold };
}
