// Raw-series scenarios (`input_series`, promtool's notation): the series are replayed into a real Prometheus
// (the series-replay port) and every query of the policy — traffic guard, reasons, vetoes, alert rules — is
// evaluated there at each tick's scheduled time. The engine then judges those answers exactly as the daemon
// would judge Prometheus's: an empty vector is no_data, NaN is not_finite, two series are several_series.

import { queriesOf, type Policy, type Sample } from '../core/index.js';
import type { ReplayInput, SeriesReplay } from '../ports/series-replay.js';
import { expandInputValues, parseSeriesSelector } from './policy-series.js';
import type { ScenarioTest } from './policy-scenario-format.js';

export type TickSamples = (tick: number) => Readonly<Record<string, Sample>>;

/** The scenario's input series as the replay port takes them; a typo names the entry. */
export function replayInput(test: ScenarioTest, tickIntervalMs: number): ReplayInput {
  const seen = new Set<string>();
  const series = (test.inputSeries ?? []).map((entry, i) => {
    const where = `input_series[${i}]`;
    try {
      const { name, labels } = parseSeriesSelector(entry.series);
      const key = JSON.stringify([name, Object.entries(labels).sort()]);
      if (seen.has(key)) throw new Error(`series "${entry.series}" is given twice`);
      seen.add(key);
      return { name, labels, values: expandInputValues(entry.values) };
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
  });
  return { series, startMs: test.startMs, stepMs: test.inputIntervalMs ?? tickIntervalMs };
}

/**
 * Evaluates every query of the policy at ticks 0..ticks-1 (time startMs + i * intervalMs) on the replayed
 * series, and returns them per tick for the engine.
 */
export async function replayedTickSamples(policy: Policy, test: ScenarioTest, replay: SeriesReplay, intervalMs: number, ticks: number): Promise<TickSamples> {
  const input = replayInput(test, intervalMs);
  const queries = queriesOf(policy);
  const opened = await replay.open(input);
  let answers: Sample[][];
  try {
    answers = await opened.evaluate(
      queries.map((q) => q.query),
      { startMs: test.startMs, stepMs: intervalMs, count: ticks },
    );
  } finally {
    await opened.close();
  }
  const perTick = Array.from({ length: ticks }, (_, i) => Object.fromEntries(queries.map((q, j) => [q.id, answers[j]?.[i] as Sample])));
  return (tick) => perTick[Math.min(tick, perTick.length - 1)] ?? {};
}
