// Chooses, at model load, whether the compiled tree ensemble scores: it must compile from the ONNX file
// and pass the start-up self-check against onnxruntime's native session (which stays loaded: it is the
// reference, and it scores the rare rows the emulation leaves undecided). Anything else — a graph the
// compiler refuses, an unreadable file, one differing probe — keeps the service on onnxruntime, and the
// reason is returned for the log and /version.
import { readFile } from 'node:fs/promises';
import { readOnnxGraph } from './onnx-graph.js';
import { selfCheck } from './self-check.js';
import { compileTreeEnsemble, type CompiledEnsemble } from './tree-ensemble.js';

export type EngineChoice =
  | { readonly engine: 'compiled-trees'; readonly ensemble: CompiledEnsemble; readonly note: string }
  | { readonly engine: 'onnxruntime'; readonly note: string };

export interface EngineSpec {
  readonly modelPath: string;
  readonly input: string;
  readonly output: string;
  readonly width: number;
  /** onnxruntime's synchronous run: rows in, the probability tensor's data out. */
  readonly reference: (input: Float32Array, rows: number) => Float32Array;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function chooseEngine(spec: EngineSpec): Promise<EngineChoice> {
  let ensemble: CompiledEnsemble;
  try {
    const graph = readOnnxGraph(await readFile(spec.modelPath));
    ensemble = compileTreeEnsemble(graph, spec.input, spec.output, spec.width);
  } catch (err) {
    return { engine: 'onnxruntime', note: `the tree ensemble was not compiled: ${message(err)}` };
  }
  let check;
  try {
    check = selfCheck(ensemble, spec.reference, spec.width);
  } catch (err) {
    return {
      engine: 'onnxruntime',
      note: `the compiled ensemble's self-check failed to run: ${message(err)}`,
    };
  }
  if (!check.ok)
    return {
      engine: 'onnxruntime',
      note: `the compiled ensemble differs from onnxruntime: ${check.reason ?? 'no reason given'}`,
    };
  return {
    engine: 'compiled-trees',
    ensemble,
    note: `${ensemble.trees} trees, ${ensemble.nodes} nodes, walked ${ensemble.walk}; bit-identical to onnxruntime on ${check.rows} probe rows (${check.undecidable} left to onnxruntime)`,
  };
}
