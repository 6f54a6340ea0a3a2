import { parser } from '@prometheus-io/lezer-promql';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

// Query grouping: N targets' queries that differ only in the value of ONE label's equality matcher
// (`service="svc-3"`) become one query whose result series carry that label (`service=~"svc-1|svc-3"`,
// `by (..., service)`, `on(..., service)`), so Prometheus does the fan-out in one pass instead of N
// HTTP round trips. Pure and conservative: a query is only grouped when the rewrite is provably
// equivalent for every member (each member's series flow through the same operations, kept apart by the
// label); anything the analysis does not understand is refused, and refused queries are sent one by
// one exactly as written.

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Functions that work series by series and keep every label except the metric name. */
const LABEL_PRESERVING_FUNCTIONS = new Set([
  'abs', 'ceil', 'floor', 'round', 'exp', 'ln', 'log2', 'log10', 'sqrt', 'sgn', 'clamp', 'clamp_min', 'clamp_max',
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'predict_linear', 'resets', 'changes', 'timestamp',
  'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'quantile_over_time',
  'stddev_over_time', 'stdvar_over_time', 'last_over_time', 'present_over_time',
  'histogram_quantile', 'histogram_fraction', 'histogram_count', 'histogram_sum', 'histogram_avg',
  'histogram_stddev', 'histogram_stdvar', 'sort', 'sort_desc',
]);

/** Aggregations for which `op by (L, ...)` over all members equals `op by (...)` per member. */
const PARTITIONABLE_AGGREGATIONS = new Set(['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'quantile', 'topk', 'bottomk']);

/** Text edits that turn one member's query into the grouped query (positions in that member's text). */
interface Edit {
  readonly from: number;
  readonly to: number;
  /** Replacement text; `undefined` for a matcher, whose text depends on the group's values. */
  readonly text: string | undefined;
  /** The label as the matcher writes it (`service` or `"service"`), for matcher edits. */
  readonly labelText?: string;
}

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

export type GroupingAnalysis = { readonly ok: true; readonly query: GroupableQuery } | { readonly ok: false; readonly reason: string };

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
      return refuse('`X or vector(c)` without on(): X keeps labels, so its result and vector(c) can both be returned');
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

function stripParens(node: SyntaxNode | null): SyntaxNode | null {
  let current = node;
  while (current !== null && current.name === 'ParenExpr') current = current.firstChild;
  return current;
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
  if (left === null || right === null || right.name !== 'FunctionCall' || functionName(promql, right) !== 'vector') return undefined;
  if (node !== top) return 'a parenthesised `X or vector(c)` is not supported';
  const args = argumentsOf(right);
  const literal = args.length === 1 ? args[0] : undefined;
  const value = literal?.name === 'NumberDurationLiteral' ? Number(promql.slice(literal.from, literal.to)) : Number.NaN;
  if (!Number.isFinite(value)) return 'vector(c) needs a plain finite number c';
  const modifier = node.getChild('MatchingModifierClause');
  if (modifier === null) return { left, value, on: false };
  const labels = modifier.getChild('GroupingLabels');
  if (modifier.getChild('On') === null || labels === null || labels.firstChild !== null || modifier.getChild('GroupLeft') !== null || modifier.getChild('GroupRight') !== null) {
    return '`X or ... vector(c)` is only grouped with on() or no matching clause';
  }
  return { left, value, on: true };
}

function functionName(promql: string, call: SyntaxNode): string {
  const id = call.getChild('FunctionIdentifier');
  return id === null ? '' : promql.slice(id.from, id.to);
}

function argumentsOf(call: SyntaxNode): SyntaxNode[] {
  const body = call.getChild('FunctionCallBody');
  const args: SyntaxNode[] = [];
  for (let child = body?.firstChild ?? null; child !== null; child = child.nextSibling) args.push(child);
  return args;
}

function labelNameOf(promql: string, matcher: SyntaxNode): string | undefined {
  const plain = matcher.getChild('LabelName');
  if (plain !== null) return promql.slice(plain.from, plain.to);
  const quoted = matcher.getChild('QuotedLabelName')?.getChild('StringLiteral');
  return quoted === null || quoted === undefined ? undefined : decodeString(promql.slice(quoted.from, quoted.to));
}

/** A PromQL string literal's value; `undefined` for escapes other than \\ \" \' (not worth the risk). */
export function decodeString(literal: string): string | undefined {
  const quote = literal[0];
  const inner = literal.slice(1, -1);
  if (quote === '`') return inner;
  if (quote !== '"' && quote !== "'") return undefined;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = inner[i + 1];
    if (next !== '\\' && next !== '"' && next !== "'") return undefined;
    out += next;
    i += 1;
  }
  return out;
}

/** Walks the expression: every node must be understood, or `problem` says why grouping is refused. */
class Walker {
  problem: string | undefined;
  value: string | undefined;
  readonly edits: Edit[] = [];
  readonly literals: { from: number; to: number }[] = [];
  private readonly promql: string;
  private readonly label: string;

  constructor(promql: string, label: string) {
    this.promql = promql;
    this.label = label;
  }

  check(node: SyntaxNode): void {
    if (this.problem !== undefined) return;
    switch (node.name) {
      case 'ParenExpr':
      case 'UnaryExpr':
      case 'OffsetExpr':
      case 'StepInvariantExpr':
      case 'SubqueryExpr':
      case 'MatrixSelector':
        return this.children(node);
      case 'NumberDurationLiteral':
      case 'UnaryOp':
      case 'DurationExpr':
      case 'OffsetDurationExpr':
      case 'NumberDurationLiteralInDurationContext':
      case 'Offset':
      case 'At':
      case 'AtModifierPreprocessors':
        return;
      case 'VectorSelector':
        return this.selector(node);
      case 'FunctionCall':
        return this.call(node);
      case 'AggregateExpr':
        return this.aggregation(node);
      case 'BinaryExpr':
        return this.binary(node);
      default:
        this.problem = `${node.name} (${this.text(node).slice(0, 40)}) is not understood by the grouping analysis`;
    }
  }

  /** True when the expression's result series carry no labels at all (an aggregation without by/without). */
  labelless(node: SyntaxNode): boolean {
    const inner = stripParens(node);
    if (inner === null) return false;
    if (inner.name === 'AggregateExpr') {
      const modifier = inner.getChild('AggregateModifier');
      const op = this.text(inner.getChild('AggregateOp') ?? inner);
      if (op === 'topk' || op === 'bottomk') return false;
      return modifier === null || (modifier.getChild('By') !== null && modifier.getChild('GroupingLabels')?.firstChild === null);
    }
    if (inner.name === 'FunctionCall') {
      const name = functionName(this.promql, inner);
      const args = argumentsOf(inner);
      const vectorArg = name === 'histogram_quantile' || name === 'histogram_fraction' ? args[args.length - 1] : args[0];
      return LABEL_PRESERVING_FUNCTIONS.has(name) && vectorArg !== undefined && this.labelless(vectorArg);
    }
    return false;
  }

  private children(node: SyntaxNode): void {
    for (let child = node.firstChild; child !== null; child = child.nextSibling) this.check(child);
  }

  private text(node: SyntaxNode): string {
    return this.promql.slice(node.from, node.to);
  }

  private selector(node: SyntaxNode): void {
    const matchers = node.getChild('LabelMatchers');
    let found = 0;
    for (let m = matchers?.firstChild ?? null; m !== null; m = m.nextSibling) {
      if (m.name !== 'UnquotedLabelMatcher' && m.name !== 'QuotedLabelMatcher') continue;
      if (labelNameOf(this.promql, m) !== this.label) continue;
      found += 1;
      if (m.getChild('MatchOp')?.firstChild?.name !== 'EqlSingle') {
        this.problem = `a selector matches ${this.label} with something other than =`;
        return;
      }
      const literal = m.lastChild;
      const value = literal?.name === 'StringLiteral' ? decodeString(this.text(literal)) : undefined;
      if (literal === null || value === undefined) {
        this.problem = `the ${this.label} value uses an escape sequence the analysis does not decode`;
        return;
      }
      if (this.value !== undefined && this.value !== value) {
        this.problem = `selectors ask for different ${this.label} values ("${this.value}", "${value}")`;
        return;
      }
      this.value = value;
      this.literals.push({ from: literal.from, to: literal.to });
      const nameNode = m.firstChild ?? m;
      this.edits.push({ from: m.from, to: m.to, text: undefined, labelText: this.text(nameNode) });
    }
    if (found === 0) this.problem = `the selector ${this.text(node).slice(0, 60)} has no ${this.label}="..." matcher`;
    else if (found > 1) this.problem = `a selector matches ${this.label} more than once`;
  }

  private call(node: SyntaxNode): void {
    const name = functionName(this.promql, node);
    if (!LABEL_PRESERVING_FUNCTIONS.has(name)) {
      this.problem = `${name}() drops, invents or rewrites labels (or is not known to keep them)`;
      return;
    }
    for (const arg of argumentsOf(node)) this.check(arg);
  }

  private aggregation(node: SyntaxNode): void {
    const op = this.text(node.getChild('AggregateOp') ?? node);
    if (!PARTITIONABLE_AGGREGATIONS.has(op)) {
      this.problem = `the aggregation ${op} is not grouped (it adds labels or picks series arbitrarily)`;
      return;
    }
    const modifier = node.getChild('AggregateModifier');
    if (modifier === null) {
      const opNode = node.getChild('AggregateOp');
      if (opNode === null) {
        this.problem = 'an aggregation without its operator';
        return;
      }
      this.edits.push({ from: opNode.to, to: opNode.to, text: ` by (${this.label})` });
    } else if (modifier.getChild('Without') !== null) {
      if (this.lists(modifier.getChild('GroupingLabels'))) {
        this.problem = `without(...) drops ${this.label}`;
        return;
      }
    } else {
      this.addLabel(modifier.getChild('GroupingLabels'));
    }
    const body = node.getChild('FunctionCallBody');
    if (body !== null) this.children(body);
  }

  private binary(node: SyntaxNode): void {
    if (node.getChild('FillModifier') !== null) {
      this.problem = 'fill modifiers are not grouped';
      return;
    }
    const modifier = node.getChild('MatchingModifierClause');
    if (modifier !== null) {
      const labelLists = modifier.getChildren('GroupingLabels');
      const matching = labelLists[0] ?? null;
      const extra = labelLists[1] ?? null;
      if (extra !== null && this.lists(extra)) {
        this.problem = `group_left/group_right(...) copies ${this.label}`;
        return;
      }
      if (modifier.getChild('Ignoring') !== null) {
        if (this.lists(matching)) {
          this.problem = `ignoring(...) lists ${this.label}`;
          return;
        }
      } else {
        this.addLabel(matching);
      }
    }
    for (let child = node.firstChild; child !== null; child = child.nextSibling) {
      if (child.name === 'MatchingModifierClause' || child.name === 'BoolModifier' || OPERATOR_TOKENS.has(child.name)) continue;
      this.check(child);
    }
  }

  private lists(labels: SyntaxNode | null): boolean {
    for (let l = labels?.firstChild ?? null; l !== null; l = l.nextSibling) {
      const name = l.name === 'LabelName' ? this.text(l) : l.name === 'QuotedLabelName' ? decodeString(this.text(l.firstChild ?? l)) : undefined;
      if (name === this.label) return true;
    }
    return false;
  }

  /** `(a, b)` → `(a, b, L)`; `()` → `(L)`; unchanged when L is listed. */
  private addLabel(labels: SyntaxNode | null): void {
    if (labels === null) {
      this.problem = 'a by/on clause without its label list';
      return;
    }
    if (this.lists(labels)) return;
    const inside = this.text(labels).slice(1, -1).trim();
    const separator = inside === '' || inside.endsWith(',') ? '' : ', ';
    this.edits.push({ from: labels.to - 1, to: labels.to - 1, text: `${separator}${this.label}` });
  }
}

/** Binary operators whose vector matching is understood (newer ones, e.g. histogram trimming, are refused). */
const OPERATOR_TOKENS = new Set(['Pow', 'Mul', 'Div', 'Mod', 'Add', 'Sub', 'Eql', 'Gte', 'Gtr', 'Lte', 'Lss', 'Neq', 'And', 'Or', 'Unless', 'Atan2']);
