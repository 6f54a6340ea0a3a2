// Shared by the actuators: the HTTP check that a new instance serves the expected variant.
export { FAST_PHASE_MS, FAST_POLL_MS, SLOW_POLL_MS, VerificationError, waitUntilServing, type VerifyOptions } from './serving-check.js';
