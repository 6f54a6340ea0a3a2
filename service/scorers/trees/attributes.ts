// Typed access to a TreeEnsemble node's attributes: each reader checks the attribute's kind and refuses,
// with an UnsupportedModelError naming it, what the compiler cannot read exactly.
import type { AttributeValue, GraphNode } from './onnx-graph.js';

export class UnsupportedModelError extends Error {
  override readonly name = 'UnsupportedModelError';
}

export function fail(reason: string): never {
  throw new UnsupportedModelError(reason);
}

export function ints(node: GraphNode, name: string, optional = false): readonly number[] {
  const a = node.attributes.get(name);
  if (a === undefined && optional) return [];
  if (a?.kind !== 'ints') fail(`attribute ${name} is ${describe(a)}, expected ints`);
  for (const v of a.value)
    if (!Number.isSafeInteger(v)) fail(`attribute ${name} holds ${v}, not a safe integer`);
  return a.value;
}

export function floats(node: GraphNode, name: string, optional = false): Float32Array {
  const a = node.attributes.get(name);
  if (a === undefined && optional) return new Float32Array(0);
  if (a?.kind !== 'floats') fail(`attribute ${name} is ${describe(a)}, expected floats`);
  return a.value;
}

export function strings(node: GraphNode, name: string): readonly string[] {
  const a = node.attributes.get(name);
  if (a?.kind !== 'strings') fail(`attribute ${name} is ${describe(a)}, expected strings`);
  return a.value;
}

export function describe(a: AttributeValue | undefined): string {
  if (a === undefined) return 'missing';
  return a.kind === 'other' ? `of ONNX attribute type ${a.type}` : a.kind;
}
