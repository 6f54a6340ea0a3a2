import type { parser } from '@prometheus-io/lezer-promql';

// Small readers over the PromQL syntax tree (@prometheus-io/lezer-promql) that the grouping analysis
// needs: names, arguments and literals, read from the query text by node position.

export type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

export function stripParens(node: SyntaxNode | null): SyntaxNode | null {
  let current = node;
  while (current !== null && current.name === 'ParenExpr') current = current.firstChild;
  return current;
}

export function functionName(promql: string, call: SyntaxNode): string {
  const id = call.getChild('FunctionIdentifier');
  return id === null ? '' : promql.slice(id.from, id.to);
}

export function argumentsOf(call: SyntaxNode): SyntaxNode[] {
  const body = call.getChild('FunctionCallBody');
  const args: SyntaxNode[] = [];
  for (let child = body?.firstChild ?? null; child !== null; child = child.nextSibling) args.push(child);
  return args;
}

export function labelNameOf(promql: string, matcher: SyntaxNode): string | undefined {
  const plain = matcher.getChild('LabelName');
  if (plain !== null) return promql.slice(plain.from, plain.to);
  const quoted = matcher.getChild('QuotedLabelName')?.getChild('StringLiteral');
  return quoted === null || quoted === undefined
    ? undefined
    : decodeString(promql.slice(quoted.from, quoted.to));
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
