// Where policies come from, for the daemon and for the `guardrail policy` commands.
export { filePolicySource as policySource } from '../adapters/policy/index.js';
