// What the decision engine is told about one PromQL query at one tick. The Prometheus adapter produces
// these; the core turns them into verdicts. A failed or ambiguous query is never a number: it is
// `unknown` with its cause, and UNKNOWN never rolls anything back.

export type UnknownCause =
  | 'unreachable' // connection refused, DNS, reset
  | 'timeout' // Prometheus did not answer in time
  | 'http_error' // 4xx/5xx from Prometheus
  | 'bad_response' // not JSON, or not the shape of the query API
  | 'query_error' // Prometheus answered status:"error" (bad PromQL, execution error)
  | 'no_data' // an empty vector: no series matched (no traffic is not 0% errors)
  | 'not_finite' // NaN or ±Inf (0/0, histogram_quantile with no observations)
  | 'several_series' // a vector with more than one series where one was expected
  | 'low_traffic' // fewer requests than the policy's minRequests guard
  | 'candidate_not_ready'; // the shadow candidate is not (yet) verified serving: its evidence is not judged

export type Sample =
  | { readonly kind: 'value'; readonly value: number }
  | { readonly kind: 'unknown'; readonly cause: UnknownCause; readonly detail: string };

/**
 * The shadow candidate's state for the roll-forward gate: verified serving its value since `readySinceMs`
 * (this candidate instance: a replaced or restarted one starts again), or not, and why; `failed` when it
 * does not run at all (exited, crash-looping: a model that will not load), which is evidence, not a gap.
 */
export type CandidateObservation = { readonly readySinceMs: number } | { readonly notReady: string; readonly failed?: boolean };
