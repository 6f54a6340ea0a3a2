// bench:mitigation's table: per-run lines, the side-by-side table and the ratio rows (test/bench/mitigation.ts).
import type { LoadResult } from './load.js';
import { CHAINS, SCENARIOS, type ChainName, type Outcome, type ScenarioName, type StandbyOutcome } from './mitigation-model.js';
import { markdownTable, median } from './stats.js';

export const since = (from: number, at: number | undefined): number | undefined => (at === undefined ? undefined : (at - from) / 1000);
export const s1 = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(1));
export const medianOf = (xs: readonly (number | undefined)[]): number | undefined => {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length === 0 ? undefined : median(known);
};

/** Failed requests sent from `fromMs` on (the bad deploy's own restart gap comes before onset). */
export function failedFrom(load: LoadResult, fromMs: number): number {
  return failedBetween(load, fromMs, Number.POSITIVE_INFINITY);
}

/** Failed requests sent in [fromMs, toMs), to the 100 ms bucket. */
export function failedBetween(load: LoadResult, fromMs: number, toMs: number): number {
  const from = Math.floor(fromMs / 100) * 100;
  const to = Number.isFinite(toMs) ? Math.floor(toMs / 100) * 100 : Number.POSITIVE_INFINITY;
  return load.buckets.filter(([at]) => at >= from && at < to).reduce((n, [, , failed]) => n + failed, 0);
}

export function describe(o: Outcome): string {
  return (
    `breach +${s1(since(o.onsetAt, o.firstBreachAt))} s, condition held +${s1(since(o.onsetAt, o.conditionHeldAt))} s, decision +${s1(since(o.onsetAt, o.decisionAt))} s ` +
    `(${s1(since(o.conditionHeldAt ?? Number.NaN, o.decisionAt))} s after the condition held), verified +${s1(since(o.onsetAt, o.verifiedAt))} s, ` +
    `first baseline +${s1(since(o.onsetAt, o.firstBaselineAt))} s, <1% errors +${s1(since(o.onsetAt, o.recoveredAt))} s; ` +
    `failed after onset ${failedFrom(o.load, o.onsetAt)}, errors of the whole run ${JSON.stringify(o.load.errors)} ${errorSpans(o)}; decided by ${o.decidedBy}` +
    (o.standby === undefined ? '' : `\n  ${describeStandby(o.standby)}`)
  );
}

/** When each kind of error was sent, s from onset: which phase (deploy, fault, switch) it belongs to. */
export function errorSpans(o: Outcome): string {
  const spans = Object.keys(o.load.errors).map((kind) => `${kind} ${s1(since(o.onsetAt, o.load.firstErrorAt[kind]))}…${s1(since(o.onsetAt, o.load.lastErrorAt[kind]))}`);
  return `(sent, s from onset: ${spans.join(', ')})`;
}

export function describeStandby(sb: StandbyOutcome): string {
  const from = sb.fromStandby === undefined ? 'no switch' : sb.fromStandby ? 'yes' : 'NO';
  const ready = sb.readyWaitMs === undefined ? 'not waited for' : `answered baseline ${sb.readyWaitMs} ms after the healthy stretch`;
  const phases = sb.failedByPhase === undefined ? '—' : sb.failedByPhase.join(' / ');
  return (
    `switch from the warm standby: ${from} (runtime's last standby state before the decision: ${sb.stateAtDecision ?? '—'}; before the fault the standby ${ready}); ` +
    `steps ms after the call: ${sb.steps}; failed onset→decision / →verified / →switch returned / after: ${phases}`
  );
}

export function table(all: readonly Outcome[]): string {
  const rows: string[][] = [];
  for (const scenario of Object.values(SCENARIOS)) {
    const per = (chain: ChainName) => all.filter((o) => o.chain === chain && o.scenario === scenario.name);
    const stat = (chain: ChainName, pick: (o: Outcome) => number | undefined) => medianOf(per(chain).map(pick));
    for (const chain of CHAINS) {
      const os = per(chain);
      if (os.length === 0) continue;
      const withStandby = os.filter((o) => o.standby !== undefined);
      rows.push([
        scenario.name,
        chain,
        String(os.length),
        [...new Set(os.map((o) => o.decidedBy))].join(', '),
        withStandby.length === 0 ? '' : `${withStandby.filter((o) => o.standby?.fromStandby === true).length}/${withStandby.length}`,
        s1(stat(chain, (o) => since(o.onsetAt, o.firstBreachAt))),
        s1(stat(chain, (o) => since(o.onsetAt, o.conditionHeldAt))),
        s1(stat(chain, (o) => since(o.onsetAt, o.decisionAt))),
        s1(stat(chain, (o) => (o.conditionHeldAt === undefined ? undefined : since(o.conditionHeldAt, o.decisionAt)))),
        s1(stat(chain, (o) => (o.decisionAt === undefined ? undefined : since(o.decisionAt, o.verifiedAt)))),
        s1(stat(chain, (o) => since(o.onsetAt, o.verifiedAt))),
        s1(stat(chain, (o) => since(o.onsetAt, o.firstBaselineAt))),
        s1(stat(chain, (o) => since(o.onsetAt, o.recoveredAt))),
      ]);
    }
    rows.push(...ratioRows(scenario.name, stat));
  }
  return markdownTable(
    ['scenario', 'chain', 'runs', 'decided by', 'from standby', 'first breach s', 'condition held s', 'decision s', 'decision − condition held s', 'decision → verified s', 'baseline verified s', 'first baseline answer s', 'errors < 1% s'],
    rows,
  );
}

/** DIY ÷ Guardrail for the decision and for errors < 1%: with Alertmanager's defaults, and the fair one (group_wait 0s). */
export function ratioRows(scenario: ScenarioName, stat: (chain: ChainName, pick: (o: Outcome) => number | undefined) => number | undefined): string[][] {
  const rows: string[][] = [];
  for (const diy of ['diy', 'diy-gw0'] as const) {
    const d = stat(diy, (o) => since(o.onsetAt, o.decisionAt));
    const dr = stat(diy, (o) => since(o.onsetAt, o.recoveredAt));
    for (const chain of ['guardrail', 'guardrail-standby', 'front-door'] as const) {
      const g = stat(chain, (o) => since(o.onsetAt, o.decisionAt));
      const gr = stat(chain, (o) => since(o.onsetAt, o.recoveredAt));
      if (g !== undefined && d !== undefined && gr !== undefined && dr !== undefined) {
        rows.push([scenario, `ratio ${diy}/${chain}`, '', '', '', '', '', `×${(d / g).toFixed(2)}`, '', '', '', '', `×${(dr / gr).toFixed(2)}`]);
      }
    }
  }
  return rows;
}
