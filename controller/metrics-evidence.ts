import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Gauge, collectDefaultMetrics, type Registry } from 'prom-client';
import type { Verdict, VerdictStatus } from './core/index.js';
import { findPackageRoot } from '../service/package-root.js';

// The evidence behind each decision, as metrics (issue #20): every condition's last value against its
// threshold, its verdict and how far its `for` has run. These gauges are not set tick by tick: they are
// rebuilt from the runtime's last evaluations at each scrape (prom-client's collect), so a condition or
// target removed by a policy reload has no series left the moment it is gone, and nothing can drift.

export const CONDITION_STATES: readonly VerdictStatus[] = ['ok', 'breach', 'unknown'];

/** One target's last evaluation, as the runtime holds it (only targets of the loaded policies). */
export interface TargetEvidence {
  readonly target: string;
  /** The conditions', and while rolled back with a shadow, the roll-forward gate's bounds (`rollforward.gate.*`). */
  readonly verdicts: readonly Verdict[];
  /** The roll-forward gate as a whole, while it is judged (rolled back with a shadow). */
  readonly gate?: { readonly verdict: VerdictStatus; readonly passingSeconds: number; readonly forSeconds: number };
}

export type EvidenceSource = () => readonly TargetEvidence[];

export interface EvidenceMetrics {
  /** Where the gauges read at scrape time; the runtime points it at its own memory. */
  setSource(source: EvidenceSource): void;
}

type ConditionLabel = 'target' | 'condition';

function evidenceGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  fill: (gauge: Gauge<L>, evidence: readonly TargetEvidence[]) => void,
  read: () => readonly TargetEvidence[],
): void {
  new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      fill(this, read());
    },
  });
}

const eachVerdict = (evidence: readonly TargetEvidence[], visit: (labels: { target: string; condition: string }, v: Verdict) => void): void => {
  for (const { target, verdicts } of evidence) for (const v of verdicts) visit({ target, condition: v.conditionId }, v);
};

export function registerEvidenceMetrics(registry: Registry): EvidenceMetrics {
  let source: EvidenceSource = () => [];
  const read = (): readonly TargetEvidence[] => source();
  const labels: readonly ConditionLabel[] = ['target', 'condition'];
  evidenceGauge(registry, 'guardrail_condition_value', 'The value the condition\'s query returned at the last evaluation (no series while the verdict is UNKNOWN).', labels, (g, ev) =>
    eachVerdict(ev, (l, v) => {
      if (v.value !== undefined) g.set(l, v.value);
    }), read);
  evidenceGauge(registry, 'guardrail_condition_threshold', 'The threshold the condition\'s value was compared with at the last evaluation.', labels, (g, ev) =>
    eachVerdict(ev, (l, v) => g.set(l, v.threshold)), read);
  evidenceGauge(registry, 'guardrail_condition_above', '1 when the condition breaches above its threshold, 0 when below (the comparison).', labels, (g, ev) =>
    eachVerdict(ev, (l, v) => g.set(l, v.comparison === 'above' ? 1 : 0)), read);
  evidenceGauge(registry, 'guardrail_condition_state', 'The condition\'s verdict at the last evaluation: 1 for its state (ok|breach|unknown), 0 for the others.', [...labels, 'state'] as const, (g, ev) =>
    eachVerdict(ev, (l, v) => {
      for (const state of CONDITION_STATES) g.set({ ...l, state }, v.status === state ? 1 : 0);
    }), read);
  evidenceGauge(registry, 'guardrail_condition_sustained_seconds', 'How long the breach has been sustained (the `for` timer; 0 when not breaching). Acts when it reaches guardrail_condition_for_seconds.', labels, (g, ev) =>
    eachVerdict(ev, (l, v) => g.set(l, v.sustainedMs / 1000)), read);
  evidenceGauge(registry, 'guardrail_condition_for_seconds', 'How long the condition must breach before it counts (its `for`).', labels, (g, ev) =>
    eachVerdict(ev, (l, v) => g.set(l, v.forMs / 1000)), read);
  registerGateMetrics(registry, read);
  return {
    setSource(next) {
      source = next;
    },
  };
}

function registerGateMetrics(registry: Registry, read: () => readonly TargetEvidence[]): void {
  const eachGate = (evidence: readonly TargetEvidence[], visit: (target: string, gate: NonNullable<TargetEvidence['gate']>) => void): void => {
    for (const { target, gate } of evidence) if (gate !== undefined) visit(target, gate);
  };
  evidenceGauge(registry, 'guardrail_shadow_gate_state', 'The roll-forward gate of the ML candidate in shadow, while rolled back: 1 for its verdict (ok|breach|unknown), 0 for the others. Its bounds are guardrail_condition_*{condition=~"rollforward.gate.*"}.', ['target', 'state'] as const, (g, ev) =>
    eachGate(ev, (target, gate) => {
      for (const state of CONDITION_STATES) g.set({ target, state }, gate.verdict === state ? 1 : 0);
    }), read);
  evidenceGauge(registry, 'guardrail_shadow_gate_passing_seconds', 'How long every bound of the roll-forward gate has been OK (0 when not). An automatic roll-forward happens when it reaches guardrail_shadow_gate_for_seconds.', ['target'] as const, (g, ev) =>
    eachGate(ev, (target, gate) => g.set({ target }, gate.passingSeconds)), read);
  evidenceGauge(registry, 'guardrail_shadow_gate_for_seconds', 'How long every bound of the roll-forward gate must be OK (rollforward.gate.for).', ['target'] as const, (g, ev) =>
    eachGate(ev, (target, gate) => g.set({ target }, gate.forSeconds)), read);
}

let cachedVersion: string | undefined;

/** The package version (package.json), read once; `unknown` if the manifest cannot be found. */
export function guardrailVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  try {
    const manifest = JSON.parse(readFileSync(join(findPackageRoot(import.meta.url), 'package.json'), 'utf8')) as { version?: unknown };
    cachedVersion = typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    cachedVersion = 'unknown';
  }
  return cachedVersion;
}

/** guardrail_build_info and prom-client's default process metrics (CPU, memory, fds, event loop lag, GC). */
export function registerProcessMetrics(registry: Registry): void {
  const buildInfo = new Gauge({
    name: 'guardrail_build_info',
    help: 'Always 1; the labels say which Guardrail runs: version (package.json), node (Node.js version), revision (GUARDRAIL_REVISION, else unknown).',
    labelNames: ['version', 'node', 'revision'],
    registers: [registry],
  });
  buildInfo.set({ version: guardrailVersion(), node: process.version, revision: process.env['GUARDRAIL_REVISION'] ?? 'unknown' }, 1);
  collectDefaultMetrics({ register: registry });
}
