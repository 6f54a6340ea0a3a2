// The shape of a policy document once it passed the JSON Schema (policies/policy.schema.json).
// Only used between validation and normalisation; the engine sees controller/core/policy.ts.

export type RawThreshold = number | 'slo.p95LatencySeconds' | 'slo.errorRatio';
export type RawSeverity = 'info' | 'warning' | 'critical';

export interface RawConditionFields {
  readonly query?: string;
  readonly above?: RawThreshold;
  readonly below?: RawThreshold;
  readonly unit?: 'ratio' | 'seconds' | 'count' | 'factor';
  readonly for?: string;
  readonly needsTraffic?: boolean;
}

export interface RawCondition extends RawConditionFields {
  readonly name: string;
  readonly query: string;
}

export interface RawReason extends RawConditionFields {
  readonly name: string;
  readonly severity: RawSeverity;
  readonly manual?: boolean;
  readonly allOf?: readonly RawCondition[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RawVeto extends RawConditionFields {
  readonly name: string;
  readonly query: string;
  readonly message: string;
  readonly appliesTo?: readonly string[];
  readonly onUnknown?: 'ignore' | 'block';
}

export interface RawAlertRule extends RawConditionFields {
  readonly name: string;
  readonly severity: RawSeverity;
  readonly query: string;
  readonly activeIn?: readonly ('watching' | 'pending' | 'rolling_back' | 'rolled_back' | 'rolling_forward' | 'paused' | 'failed')[];
  readonly summary: string;
  readonly description?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface RawPolicy {
  readonly name: string;
  readonly description?: string;
  readonly target: {
    readonly name: string;
    readonly compose?: { readonly project: string; readonly services: readonly string[] };
    readonly containers?: readonly string[];
    readonly swarm?: string | { readonly stack: string; readonly services: readonly string[] };
    readonly variable: string;
    readonly normalValue?: string | null;
    readonly rollbackValue: string;
    readonly strategy: 'recreate' | 'start-first';
    readonly stopSignal?: string;
    readonly warmStandby?: boolean | readonly string[];
    readonly settle?: string;
    readonly parallelism?: number;
    readonly verify: {
      readonly port: number;
      readonly healthPath: string;
      readonly versionPath: string;
      readonly variantField: string;
      readonly absentVariant?: string;
      readonly timeout: string;
      readonly via?: 'auto' | 'published-port' | 'container-ip';
    };
  };
  readonly evaluation: {
    readonly interval: string;
    readonly blindAfter?: number;
    readonly minRequests?: { readonly query: string; readonly min: number; readonly window: string };
  };
  readonly slo: { readonly p95LatencySeconds: number; readonly errorRatio: number };
  readonly reasons: readonly RawReason[];
  readonly vetoes?: readonly RawVeto[];
  readonly alerts?: readonly RawAlertRule[];
  readonly limits?: { readonly cooldown?: string; readonly maxRollbacksPerHour?: number; readonly onMissingData?: 'reset' | 'freeze' };
  readonly rollforward?: RawRollforward;
  readonly warnAfter?: string;
  readonly warnEvery?: string;
  readonly triggers?: { readonly alertmanager?: readonly { readonly matchers: Readonly<Record<string, string>>; readonly reason: string; readonly corroborate?: boolean }[] };
}

export type GateBoundName = 'requests' | 'errorRatio' | 'p95Seconds' | 'agreement';

export interface RawRollforward {
  /** `auto` is accepted for `automatic`. */
  readonly mode: 'manual' | 'automatic' | 'auto';
  readonly after?: string;
  readonly shadow?: { readonly share?: number; readonly timeout?: string; readonly services?: readonly string[] };
  readonly gate?: {
    readonly for?: string;
    readonly window?: string;
    readonly selector?: string;
    readonly minRequests?: number;
    readonly maxErrorRatio?: number;
    readonly maxP95Seconds?: number | 'slo.p95LatencySeconds';
    readonly minAgreement?: number;
    readonly queries?: Partial<Readonly<Record<GateBoundName, string>>>;
  };
  readonly candidates?: { readonly images?: readonly string[]; readonly env?: Readonly<Record<string, readonly string[]>> };
}
