// A policy problem with its place in the file: printed as `file:line:col message`, like a compiler.

export interface PolicyError {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
  readonly message: string;
}

export function formatPolicyError(error: PolicyError): string {
  return `${error.file}:${error.line}:${error.col} ${error.message}`;
}

export function byPosition(a: PolicyError, b: PolicyError): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.message.localeCompare(b.message);
}
