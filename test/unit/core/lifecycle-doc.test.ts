// docs/lifecycle/phases-and-transitions.md carries the transition table rendered from TRANSITIONS; this keeps it true.
// Regenerate with: GUARDRAIL_UPDATE_DOCS=1 npx vitest run --project unit test/unit/core/lifecycle-doc.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TRANSITIONS } from '../../../controller/core/index.js';

const DOC = 'docs/lifecycle/phases-and-transitions.md';
const BEGIN = '<!-- transition-table:begin (generated from controller/core/lifecycle.ts) -->';
const END = '<!-- transition-table:end -->';

function renderTable(): string {
  const rows = TRANSITIONS.map((t, i) => {
    const outcome = t.refuse === undefined ? (t.commands.length === 0 ? '—' : t.commands.join(', ')) : `refused: “${t.refuse}”`;
    return `| ${i} | ${t.from} | ${t.event} | ${t.guard ?? ''} | ${t.to} | ${t.effects.join(', ')} | ${outcome} |`;
  });
  return ['| # | from | event | guard | to | effects | commands |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

describe('docs/lifecycle/phases-and-transitions.md', () => {
  it('shows the transition table exactly as the code has it', () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    expect(start).toBeGreaterThan(-1);
    const expected = `${BEGIN}\n${renderTable()}\n${END}`;
    if (process.env['GUARDRAIL_UPDATE_DOCS'] === '1') writeFileSync(DOC, doc.slice(0, start) + expected + doc.slice(end + END.length));
    else expect(doc.slice(start, end + END.length)).toBe(expected);
  });
});
