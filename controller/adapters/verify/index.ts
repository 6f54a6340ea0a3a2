// Shared by the actuators: the HTTP check that a new instance serves the expected variant.
export { FAST_PHASE_MS, FAST_POLL_MS, SLOW_POLL_MS, VerificationError, waitUntilServing, variantIn, probeInstance, DEPENDENCY_GRACE_MS, type ServingResult, type VerifyOptions } from './serving-check.js';
