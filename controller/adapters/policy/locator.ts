// Turns paths (and offsets inside query strings) into file positions for one parsed policy file.

import { Scalar, type Document, type LineCounter } from 'yaml';
import { offsetOf, positionOf, scalarAt, type Position, type YamlPath } from './positions.js';

export interface Locator {
  at(path: YamlPath, where?: 'key' | 'value'): Position;
  /** Position of character `offset` of the string value at `path` (exact for plain, quoted and `|` scalars). */
  inString(path: YamlPath, offset: number): Position;
}

function blockOffset(text: string, start: number, value: string, offset: number): number {
  const before = value.slice(0, offset).split('\n');
  const lineIndex = before.length - 1;
  const col = (before[lineIndex] ?? '').length;
  let lineStart = text.indexOf('\n', start) + 1;
  const indent = /^ */.exec(text.slice(lineStart))?.[0].length ?? 0;
  for (let i = 0; i < lineIndex; i++) lineStart = text.indexOf('\n', lineStart) + 1;
  return lineStart + indent + col;
}

export function locatorFor(doc: Document, lineCounter: LineCounter, text: string): Locator {
  return {
    at: (path, where = 'value') => positionOf(lineCounter, offsetOf(doc, path, where)),
    inString(path, offset) {
      const node = scalarAt(doc, path);
      const start = node?.range?.[0];
      if (node === undefined || start === undefined || typeof (node as Scalar).value !== 'string') {
        return positionOf(lineCounter, offsetOf(doc, path));
      }
      const type = (node as Scalar).type;
      if (type === Scalar.PLAIN) return positionOf(lineCounter, start + offset);
      if (type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE) return positionOf(lineCounter, start + 1 + offset);
      if (type === Scalar.BLOCK_LITERAL) return positionOf(lineCounter, blockOffset(text, start, (node as Scalar<string>).value, offset));
      return positionOf(lineCounter, start);
    },
  };
}
