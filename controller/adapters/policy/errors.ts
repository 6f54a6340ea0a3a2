// Ordering of policy errors (the error type and its format belong to the port, ports/policy-source.ts).
import type { PolicyError } from '../../ports/policy-source.js';

export function byPosition(a: PolicyError, b: PolicyError): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.message.localeCompare(b.message);
}
