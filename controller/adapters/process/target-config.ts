// How the process actuator starts one target's service (and its shadow candidate): one type for both.

export interface ProcessTargetConfig {
  readonly command: string;
  readonly args: readonly string[];
  /** The environment the service starts with; the target's variable in it is the original value. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Grace period between SIGTERM and SIGKILL. */
  readonly stopTimeoutMs?: number;
  readonly stdio?: 'inherit' | 'ignore';
  /** The port of the shadow candidate (policy rollforward.shadow: shadow.ts); absent: none can run. */
  readonly shadowPort?: number;
}
