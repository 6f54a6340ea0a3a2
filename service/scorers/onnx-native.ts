// onnxruntime-node's synchronous session: the native object its public InferenceSession wraps
// (onnxruntime-node/dist/binding.js, typed in binding.d.ts as "a simple synchronized inference session").
// The public run() defers every call with setImmediate and re-validates and re-wraps feeds and outputs,
// so a request waited for the end of the event-loop turn before the model even started, and the service's
// inference histogram measured that wait (~99% of it under load, issue #17). Calling the native run
// directly costs what the model costs, and lets the service run one batch for the single-row requests of
// a turn (micro-batch.ts). The binding is not the package's public API: when it is missing or does not
// load the model, openNativeSession returns undefined and the scorer keeps to the public run().
import * as ort from 'onnxruntime-node';
import { binding, initOrt } from 'onnxruntime-node/dist/binding.js';

export interface NativeSession {
  /** Runs `rows` rows of `input` (row-major, `width` floats each); returns the output tensor's data. */
  run(input: Float32Array, rows: number, width: number): Float32Array;
  release(): void;
}

export interface NativeSessionSpec {
  readonly modelPath: string;
  readonly options: ort.InferenceSession.SessionOptions;
  readonly input: string;
  readonly output: string;
}

/** A native session on the model, or undefined when the binding is not usable (then use the public API). */
export function openNativeSession(spec: NativeSessionSpec): NativeSession | undefined {
  let session: InstanceType<typeof binding.InferenceSession>;
  try {
    initOrt();
    session = new binding.InferenceSession();
    session.loadModel(spec.modelPath, spec.options);
  } catch {
    return undefined;
  }
  const fetches = { [spec.output]: null };
  const noOptions = {};
  return {
    run(input, rows, width) {
      const feeds = { [spec.input]: new ort.Tensor('float32', input.subarray(0, rows * width), [rows, width]) };
      const tensor = session.run(feeds, fetches, noOptions)[spec.output];
      const data = tensor !== undefined && 'data' in tensor ? tensor.data : undefined;
      if (!(data instanceof Float32Array)) throw new Error(`output ${spec.output} is not a float tensor`);
      return data;
    },
    release() {
      session.dispose();
    },
  };
}
