// What request mirroring needs to know, parsed from SHADOW_* in service/config.ts (docs/service/shadow-and-metrics.md,
// "Shadow mirroring"). Mirroring is off when there is no ShadowConfig at all.

export interface ShadowConfig {
  /** The candidate's base URL (http or https, no trailing slash); /predict and /predict/batch are appended. */
  readonly url: string;
  /** Fraction (0..1) of the 200-answered prediction requests that are mirrored. */
  readonly share: number;
  /** Deadline of one mirrored request, connection included. */
  readonly timeoutMs: number;
  /** Most mirrored requests outstanding at once; one more is dropped (counted) rather than queued. */
  readonly maxInFlight: number;
}
