// bench:mitigation's chains, scenarios and the outcome of one run (test/bench/mitigation.ts).
import type { LoadResult } from './load.js';

export const CHAINS = ['guardrail', 'guardrail-standby', 'front-door', 'diy', 'diy-gw0'] as const;
export type ChainName = (typeof CHAINS)[number];
export type GuardrailChain = 'guardrail' | 'guardrail-standby' | 'front-door';
/** The chains that switch start-first with a warm standby. */
export const withStandby = (chain: ChainName): boolean => chain === 'guardrail-standby' || chain === 'front-door';
export const isDiy = (chain: ChainName): chain is 'diy' | 'diy-gw0' => chain === 'diy' || chain === 'diy-gw0';
export type ScenarioName = 'hard' | 'seed' | 'sawtooth';

export interface Scenario {
  readonly name: ScenarioName;
  readonly label: string;
  /** The fault, as the bad deploy's environment. */
  readonly fault: Readonly<Record<string, string>>;
  /** Every duration of the shipped policy divided by this (1: as shipped). */
  readonly scale: number;
  /** The reason expected to decide: its expression gives "first breach" and "condition held". */
  readonly reason: string;
  /** A chain that has not acted this long after the bad deploy is reported as such. */
  readonly giveUpMs: number;
}

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  hard: {
    name: 'hard',
    label: 'hard failure: 60% errors; the shipped policy as is (15 s ticks): error-budget-fast-burn, >20% over 1m and 30s, for 15s',
    fault: { FAULT_ML_ERROR_RATE: '0.6' },
    scale: 1,
    reason: 'error-budget-fast-burn',
    giveUpMs: 150_000,
  },
  seed: {
    name: 'seed',
    label: 'seed case: 8% errors; the shipped policy ÷10 (2 s ticks): high-error-rate, >5% over 6s (1m), for 30s (5m)',
    fault: { FAULT_ML_ERROR_RATE: '0.08' },
    scale: 10,
    reason: 'high-error-rate',
    giveUpMs: 150_000,
  },
  sawtooth: {
    name: 'sawtooth',
    label:
      'sawtooth: 15% errors 6 s of every 12 s; the shipped policy ÷10: error-budget-slow-burn, >5% over 3m (30m) and 30s (5m), for 6s (1m), once 3m (30m) of data exist',
    fault: { FAULT_ML_ERROR_RATE: '0.15', FAULT_ML_ERROR_CYCLE: '6000/12000' },
    scale: 10,
    reason: 'error-budget-slow-burn',
    giveUpMs: 330_000,
  },
};

export interface Outcome {
  readonly chain: ChainName;
  readonly scenario: ScenarioName;
  readonly onsetAt: number;
  readonly firstBreachAt: number | undefined;
  /** When the expression had been over the threshold for `for` without a break: the rule's condition holds. */
  readonly conditionHeldAt: number | undefined;
  readonly decisionAt: number | undefined;
  readonly verifiedAt: number | undefined;
  readonly firstBaselineAt: number | undefined;
  readonly recoveredAt: number | undefined;
  readonly load: LoadResult;
  /** The reason that decided: Guardrail's rollback evidence, or the DIY rule(s) Alertmanager sent first. */
  readonly decidedBy: string;
  /** guardrail-standby and front-door: how the switch went with respect to the warm standby. */
  readonly standby?: StandbyOutcome;
}

export interface StandbyOutcome {
  /** Whether the switch took the standby over (`created-new` detail fromStandby); undefined: no switch. */
  readonly fromStandby: boolean | undefined;
  /** The runtime's last maintainStandby state before the decision (the bad deploy makes a standby stale). */
  readonly stateAtDecision: string | undefined;
  /** From the end of the healthy stretch until the standby answered baseline (undefined: not waited for). */
  readonly readyWaitMs: number | undefined;
  /** The switch's steps, ms after the actuator was called. */
  readonly steps: string;
  /**
   * Failed requests by phase: onset → decision, decision → verified, verified → switch returned (start-first
   * keeps the old, faulty container serving through the settle), after it.
   */
  readonly failedByPhase: readonly [number, number, number, number] | undefined;
}
