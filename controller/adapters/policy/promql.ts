// PromQL checks with the official Lezer grammar (the one Prometheus's UI uses): syntax errors with their
// offset in the query, the query's largest range window, and whether it is a top-level division.

import { parser } from '@prometheus-io/lezer-promql';

export interface PromqlProblem {
  /** Offset of the problem inside the query string. */
  readonly offset: number;
  readonly message: string;
}

/** Every error node of the parse, as offsets into the query. Empty = the query parses. */
export function promqlProblems(query: string): PromqlProblem[] {
  const tree = parser.parse(query);
  const problems: PromqlProblem[] = [];
  tree.iterate({
    enter(node) {
      if (!node.type.isError) return;
      const near = query.slice(node.from, node.from + 12).split("\n")[0] ?? "";
      const message =
        node.from >= query.length
          ? 'PromQL syntax error: unexpected end of query (unclosed bracket or missing operand?)'
          : `PromQL syntax error near "${near}"`;
      problems.push({ offset: node.from, message });
    },
  });
  return problems;
}

/** True when the query's outermost expression is `a / b` (a ratio, unless the author says otherwise). */
export function isTopLevelDivision(query: string): boolean {
  let top = parser.parse(query).topNode.firstChild;
  while (top !== null && top.name === 'ParenExpr') top = top.firstChild;
  return top?.name === 'BinaryExpr' && top.getChild('Div') !== null;
}

export function usesHistogramQuantile(query: string): boolean {
  return /\bhistogram_quantile\s*\(/.test(query);
}

/** Range windows written in the query, e.g. ['5m', '1h'] for `rate(x[5m]) / rate(y[1h])`. */
export function rangeWindows(query: string): string[] {
  return [...query.matchAll(/\[\s*([0-9]+(?:ms|s|m|h|d|w|y)(?:[0-9]+(?:ms|s|m|h|d|w|y))*)\s*(?::[^\]]*)?\]/g)].map((m) => m[1] as string);
}
