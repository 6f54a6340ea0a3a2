// The policy port: where the runtime gets its policy set, and how it hears that the files changed.
// Adapter: adapters/policy (YAML files, JSON Schema, file:line:col errors, fs.watch).

import type { Policy } from '../core/index.js';

/** A policy problem with its place in the file: printed as `file:line:col message`, like a compiler. */
export interface PolicyError {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
  readonly message: string;
}

/** The full valid set, or every error (a set is all-or-nothing: one bad file refuses the whole reload). */
export type PolicyLoadResult =
  | { readonly ok: true; readonly policies: readonly Policy[]; readonly files: readonly string[] }
  | { readonly ok: false; readonly errors: readonly PolicyError[] };

export interface PolicySource {
  load(paths: readonly string[]): Promise<PolicyLoadResult>;
  /** Calls `changed` once the files under `paths` settle after an edit; returns the function that stops watching. */
  watch(paths: readonly string[], changed: () => void): Promise<() => void>;
}

export function formatPolicyError(error: PolicyError): string {
  return `${error.file}:${error.line}:${error.col} ${error.message}`;
}
