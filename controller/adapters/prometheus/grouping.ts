import { parser } from '@prometheus-io/lezer-promql';
import { Walker, type Edit } from './grouping-walker.js';
import { argumentsOf, functionName, labelNameOf, stripParens, type SyntaxNode } from './promql-syntax.js';

export { decodeString } from './promql-syntax.js';

// Query grouping: N targets' queries that differ only in the value of ONE label's equality matcher
// (`service="svc-3"`) become one query whose result series carry that label (`service=~"svc-1|svc-3"`,
// `by (..., service)`, `on(..., service)`), so Prometheus does the fan-out in one pass instead of N
// HTTP round trips. Pure and conservative: a query is only grouped when the rewrite is provably
// equivalent for every member (each member's series flow through the same operations, kept apart by the
// label); anything the analysis does not understand is refused, and refused queries are sent one by
// one exactly as written.

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One query that can join a group on `label`. */
export interface GroupableQuery {
  readonly promql: string;
  readonly label: string;
  readonly value: string;
  /** The query with the value's literal blanked out: equal keys = same group. */
  readonly key: string;
  /** Set for a top-level `X or on() vector(c)`: X is grouped and a member missing from the result reads c. */
  readonly absentValue?: number;
  /** The part of the query that is grouped: all of it, or X of `X or on() vector(c)`. */
  readonly span: { readonly from: number; readonly to: number };
  readonly edits: readonly Edit[];
}

export type GroupingAnalysis =
  { readonly ok: true; readonly query: GroupableQuery } | { readonly ok: false; readonly reason: string };

const refuse = (reason: string): GroupingAnalysis => ({ ok: false, reason });

/** Can `promql` be grouped on `label`, and how? A refusal says why (tests and debug logs). */
export function analyzeForLabel(promql: string, label: string): GroupingAnalysis {
  if (!LABEL_NAME.test(label) || label === '__name__') return refuse(`"${label}" cannot be a grouping label`);
  const tree = parser.parse(promql);
  let syntaxError = false;
  tree.iterate({
    enter(node) {
      if (node.type.isError) syntaxError = true;
    },
  });
  if (syntaxError) return refuse('the query does not parse');
  const top = tree.topNode.firstChild;
  if (top === null) return refuse('empty query');
  const walker = new Walker(promql, label);
  const orVector = topLevelOrVector(promql, top);
  let absentValue: number | undefined;
  let span = { from: top.from, to: top.to };
  if (orVector !== undefined) {
    if (typeof orVector === 'string') return refuse(orVector);
    absentValue = orVector.value;
    span = { from: orVector.left.from, to: orVector.left.to };
    if (!orVector.on && !walker.labelless(orVector.left)) {
      return refuse(
        '`X or vector(c)` without on(): X keeps labels, so its result and vector(c) can both be returned',
      );
    }
    walker.check(orVector.left);
  } else {
    walker.check(top);
  }
  if (walker.problem !== undefined) return refuse(walker.problem);
  if (walker.value === undefined) return refuse(`no selector has a ${label}="..." matcher`);
  if (walker.value === '') return refuse(`${label}="" also matches series without ${label}`);
  const literalSpans = walker.literals.sort((a, b) => a.from - b.from);
  let key = '';
  let at = 0;
  for (const span of literalSpans) {
    key += `${promql.slice(at, span.from)}\u0000`;
    at = span.to;
  }
  key += promql.slice(at);
  const query: GroupableQuery = {
    promql,
    label,
    value: walker.value,
    key: `${label}\u0001${key}`,
    span,
    edits: walker.edits,
    ...(absentValue === undefined ? {} : { absentValue }),
  };
  return { ok: true, query };
}

/** Labels with an equality matcher somewhere in the query: the candidates to group on. */
export function candidateLabels(promql: string): string[] {
  const found = new Set<string>();
  parser.parse(promql).iterate({
    enter(node) {
      if (node.name !== 'UnquotedLabelMatcher' && node.name !== 'QuotedLabelMatcher') return;
      const matcher = node.node;
      if (matcher.getChild('MatchOp')?.firstChild?.name !== 'EqlSingle') return;
      const name = labelNameOf(promql, matcher);
      if (name !== undefined) found.add(name);
    },
  });
  return [...found].sort();
}

/**
 * The grouped query for members of one group (same key), asking for all their values at once. `values`
 * must be non-empty; they are sorted and de-duplicated so the text is stable from tick to tick.
 */
export function groupedQueryText(member: GroupableQuery, values: readonly string[]): string {
  const unique = [...new Set(values)].sort();
  const regex = unique.map(escapeRegex).join('|');
  // Edits are applied from the end so earlier positions stay valid; all lie inside the span.
  const edits = [...member.edits].sort((a, b) => b.from - a.from || b.to - a.to);
  let text = member.promql.slice(member.span.from, member.span.to);
  for (const edit of edits) {
    const replacement = edit.text ?? `${edit.labelText ?? member.label}=~${JSON.stringify(regex)}`;
    const from = edit.from - member.span.from;
    text = text.slice(0, from) + replacement + text.slice(edit.to - member.span.from);
  }
  return text;
}

/** RE2 metacharacters escaped, so a value only ever matches itself (Prometheus anchors the regex). */
export function escapeRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

interface OrVector {
  readonly left: SyntaxNode;
  readonly value: number;
  readonly on: boolean;
}

/** `X or on() vector(c)` / `X or vector(c)` as the whole query (parentheses allowed around it). */
function topLevelOrVector(promql: string, top: SyntaxNode): OrVector | string | undefined {
  const node = stripParens(top);
  if (node?.name !== 'BinaryExpr' || node.getChild('Or') === null) return undefined;
  const left = node.firstChild;
  const right = node.lastChild;
  if (
    left === null ||
    right === null ||
    right.name !== 'FunctionCall' ||
    functionName(promql, right) !== 'vector'
  )
    return undefined;
  if (node !== top) return 'a parenthesised `X or vector(c)` is not supported';
  const args = argumentsOf(right);
  const literal = args.length === 1 ? args[0] : undefined;
  const value =
    literal?.name === 'NumberDurationLiteral' ? Number(promql.slice(literal.from, literal.to)) : Number.NaN;
  if (!Number.isFinite(value)) return 'vector(c) needs a plain finite number c';
  const modifier = node.getChild('MatchingModifierClause');
  if (modifier === null) return { left, value, on: false };
  const labels = modifier.getChild('GroupingLabels');
  if (
    modifier.getChild('On') === null ||
    labels === null ||
    labels.firstChild !== null ||
    modifier.getChild('GroupLeft') !== null ||
    modifier.getChild('GroupRight') !== null
  ) {
    return '`X or ... vector(c)` is only grouped with on() or no matching clause';
  }
  return { left, value, on: true };
}
