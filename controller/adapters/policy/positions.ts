// Finds where a path (['reasons', 0, 'for']) sits in the YAML text, so every error points at the exact
// key or value. Uses the yaml package's node ranges and LineCounter.

import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type YamlPath = readonly (string | number)[];

export interface Position {
  readonly line: number;
  readonly col: number;
}

function childOf(node: unknown, key: string | number): { key?: Node; value?: Node } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    if (pair === undefined) return undefined;
    const out: { key?: Node; value?: Node } = {};
    if (isScalar(pair.key)) out.key = pair.key;
    if (pair.value !== null && typeof pair.value === 'object' && 'range' in pair.value) out.value = pair.value as Node;
    return out;
  }
  if (isSeq(node) && typeof key === 'number') {
    const item = node.items[key];
    return item !== null && typeof item === 'object' && 'range' in item ? { value: item as Node } : undefined;
  }
  return undefined;
}

/** Start offset of the value at `path` (or of its key with `at: 'key'`); falls back to the deepest parent found. */
export function offsetOf(doc: Document, path: YamlPath, at: 'key' | 'value' = 'value'): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as string | number;
    const child = childOf(node, key);
    if (child === undefined) return offset;
    const last = i === path.length - 1;
    const chosen = last && at === 'key' && child.key !== undefined ? child.key : (child.value ?? child.key);
    if (chosen?.range !== undefined && chosen.range !== null) offset = chosen.range[0];
    node = child.value;
  }
  return offset;
}

export function positionOf(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line, col };
}

/** The scalar node at `path`, to map an offset inside a query string back to the file. */
export function scalarAt(doc: Document, path: YamlPath): Node | undefined {
  const node = doc.getIn(path, true);
  return isScalar(node) ? node : undefined;
}

/** `reasons[0].for` — how a path is shown in messages. */
export function showPath(path: YamlPath): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc === '' ? key : `${acc}.${key}`), '');
}
