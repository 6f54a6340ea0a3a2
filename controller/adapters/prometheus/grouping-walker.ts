import {
  argumentsOf,
  decodeString,
  functionName,
  labelNameOf,
  stripParens,
  type SyntaxNode,
} from './promql-syntax.js';

// The grouping analysis's walk over one query's syntax tree (grouping.ts): it accepts only nodes whose
// effect on the grouping label it understands, and records the text edits that make the query ask for
// every member's value at once.

/** Functions that work series by series and keep every label except the metric name. */
// prettier-ignore
const LABEL_PRESERVING_FUNCTIONS = new Set([
  'abs', 'ceil', 'floor', 'round', 'exp', 'ln', 'log2', 'log10', 'sqrt', 'sgn', 'clamp', 'clamp_min',
  'clamp_max', 'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'predict_linear', 'resets',
  'changes', 'timestamp', 'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time',
  'count_over_time', 'quantile_over_time', 'stddev_over_time', 'stdvar_over_time', 'last_over_time',
  'present_over_time', 'histogram_quantile', 'histogram_fraction', 'histogram_count', 'histogram_sum',
  'histogram_avg', 'histogram_stddev', 'histogram_stdvar', 'sort', 'sort_desc',
]);

/** Aggregations for which `op by (L, ...)` over all members equals `op by (...)` per member. */
// prettier-ignore
const PARTITIONABLE_AGGREGATIONS = new Set([
  'sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'quantile', 'topk', 'bottomk',
]);

/** Binary operators whose vector matching is understood (newer ones, e.g. histogram trimming, are refused). */
// prettier-ignore
const OPERATOR_TOKENS = new Set([
  'Pow', 'Mul', 'Div', 'Mod', 'Add', 'Sub', 'Eql', 'Gte', 'Gtr', 'Lte', 'Lss', 'Neq', 'And', 'Or', 'Unless',
  'Atan2',
]);

/** Text edits that turn one member's query into the grouped query (positions in that member's text). */
export interface Edit {
  readonly from: number;
  readonly to: number;
  /** Replacement text; `undefined` for a matcher, whose text depends on the group's values. */
  readonly text: string | undefined;
  /** The label as the matcher writes it (`service` or `"service"`), for matcher edits. */
  readonly labelText?: string;
}

/** Walks the expression: every node must be understood, or `problem` says why grouping is refused. */
export class Walker {
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
      return (
        modifier === null ||
        (modifier.getChild('By') !== null && modifier.getChild('GroupingLabels')?.firstChild === null)
      );
    }
    if (inner.name === 'FunctionCall') {
      const name = functionName(this.promql, inner);
      const args = argumentsOf(inner);
      const vectorArg =
        name === 'histogram_quantile' || name === 'histogram_fraction' ? args[args.length - 1] : args[0];
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
    if (found === 0)
      this.problem = `the selector ${this.text(node).slice(0, 60)} has no ${this.label}="..." matcher`;
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
      if (
        child.name === 'MatchingModifierClause' ||
        child.name === 'BoolModifier' ||
        OPERATOR_TOKENS.has(child.name)
      )
        continue;
      this.check(child);
    }
  }

  private lists(labels: SyntaxNode | null): boolean {
    for (let l = labels?.firstChild ?? null; l !== null; l = l.nextSibling) {
      const name =
        l.name === 'LabelName'
          ? this.text(l)
          : l.name === 'QuotedLabelName'
            ? decodeString(this.text(l.firstChild ?? l))
            : undefined;
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
