// Reads an ONNX file's graph with protobufjs: only the messages and fields a tree ensemble needs (model,
// opsets, graph, nodes, attributes). Protobuf skips unknown fields, so the rest of the file (doc strings,
// value types, metadata) costs nothing; field numbers are those of onnx/onnx.proto. Tensor-valued
// attributes (the `*_as_tensor` forms of newer exporters) are kept only as "present", so the compiler can
// refuse them by name instead of misreading them.
import protobuf from 'protobufjs';

export type AttributeValue =
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'floats'; readonly value: Float32Array }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  | { readonly kind: 'other'; readonly type: number };

export interface GraphNode {
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, AttributeValue>;
}

export interface OnnxGraph {
  /** Opset version per domain ('' is the default ONNX domain). */
  readonly opsets: ReadonlyMap<string, number>;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly initializers: number;
  readonly nodes: readonly GraphNode[];
}

const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });
const SCHEMA = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: { opsetImport: repeated('OperatorSetIdProto', 8), graph: { type: 'GraphProto', id: 7 } },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1),
            initializer: repeated('Empty', 5),
            input: repeated('ValueInfoProto', 11),
            output: repeated('ValueInfoProto', 12),
          },
        },
        Empty: { fields: {} },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 } } },
        NodeProto: {
          fields: {
            input: repeated('string', 1),
            output: repeated('string', 2),
            opType: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: repeated('AttributeProto', 5),
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            floats: repeated('float', 7),
            ints: repeated('int64', 8),
            strings: repeated('bytes', 9),
          },
        },
      },
    },
  },
});
const MODEL = SCHEMA.lookupType('onnx.ModelProto');

/** AttributeProto.AttributeType values this reader decodes. */
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

interface RawAttribute {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}
interface RawNode {
  input?: string[];
  output?: string[];
  opType?: string;
  domain?: string;
  attribute?: RawAttribute[];
}
interface RawModel {
  opsetImport?: { domain?: string; version?: number }[];
  graph?: {
    node?: RawNode[];
    initializer?: unknown[];
    input?: { name?: string }[];
    output?: { name?: string }[];
  };
}

const utf8 = (bytes: Uint8Array | undefined): string =>
  Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

function attributeValue(raw: RawAttribute): AttributeValue {
  const type = raw.type ?? 0;
  switch (type) {
    case ATTR.FLOAT:
      return { kind: 'float', value: raw.f ?? 0 };
    case ATTR.INT:
      return { kind: 'int', value: raw.i ?? 0 };
    case ATTR.STRING:
      return { kind: 'string', value: utf8(raw.s) };
    case ATTR.FLOATS:
      // protobufjs decodes a float field as the float32 value widened to a double: exact.
      return { kind: 'floats', value: Float32Array.from(raw.floats ?? []) };
    case ATTR.INTS:
      return { kind: 'ints', value: raw.ints ?? [] };
    case ATTR.STRINGS:
      return { kind: 'strings', value: (raw.strings ?? []).map(utf8) };
    default:
      return { kind: 'other', type };
  }
}

function graphNode(raw: RawNode): GraphNode {
  const attributes = new Map<string, AttributeValue>();
  for (const a of raw.attribute ?? []) attributes.set(a.name ?? '', attributeValue(a));
  return {
    opType: raw.opType ?? '',
    domain: raw.domain ?? '',
    inputs: raw.input ?? [],
    outputs: raw.output ?? [],
    attributes,
  };
}

/** Decodes an ONNX model file's bytes; throws when they are not an ONNX model with a graph. */
export function readOnnxGraph(bytes: Uint8Array): OnnxGraph {
  // int64 fields as plain numbers: node and tree ids, opset versions and labels are small integers here,
  // and the compiler checks every id it uses is a safe integer in range.
  const model = MODEL.toObject(MODEL.decode(bytes), { longs: Number, arrays: true }) as RawModel;
  const graph = model.graph;
  if (graph === undefined) throw new Error('the file has no graph');
  const opsets = new Map<string, number>();
  for (const o of model.opsetImport ?? []) opsets.set(o.domain ?? '', o.version ?? 0);
  return {
    opsets,
    inputs: (graph.input ?? []).map((v) => v.name ?? ''),
    outputs: (graph.output ?? []).map((v) => v.name ?? ''),
    initializers: graph.initializer?.length ?? 0,
    nodes: (graph.node ?? []).map(graphNode),
  };
}
