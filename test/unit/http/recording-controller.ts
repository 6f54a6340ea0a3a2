// An in-memory ControllerPort for testing the HTTP layer (and the CLI through it): it records every call
// and answers from plain data the test sets. The real runtime has its own tests.
import type {
  ControllerPort,
  HistoryEntryView,
  HistoryQuery,
  IncomingAlert,
  OperationRequest,
  OperationView,
  PoliciesView,
  SubmitOutcome,
  TargetStatusView,
  TimelineView,
  WebhookOutcome,
} from '../../../controller/ports/controller.js';

export type RecordedCall =
  | { readonly method: 'submit'; readonly target: string; readonly request: OperationRequest }
  | { readonly method: 'alertmanagerWebhook'; readonly alerts: readonly IncomingAlert[] }
  | { readonly method: 'history'; readonly query: HistoryQuery };

export interface RecordingController extends ControllerPort {
  readonly calls: RecordedCall[];
  ready: { ready: boolean; detail: string };
  targets: TargetStatusView[];
  entries: HistoryEntryView[];
  policiesView: PoliciesView;
  timelineViews: TimelineView[];
  /** When set for a target, submit() answers conflict with this in-flight operation. */
  readonly inFlight: Map<string, OperationView>;
  /** Triggers (alertname) the webhook treats as matched. */
  readonly matchedAlertnames: Set<string>;
  /**
   * How a polled operation ends: the first operation() call shows it running, the next one this outcome.
   * null: it stays queued (a switch that never finishes).
   */
  operationOutcome: { readonly status: 'done' | 'refused' | 'failed'; readonly message: string } | null;
  /** When set, submit() answers this instead (e.g. the runtime's 409 on the shadow gate, or an accepted warning). */
  submitAnswer: ((request: OperationRequest, operation: OperationView) => SubmitOutcome) | null;
  /** Count of port calls that could change something (submit, webhook). */
  actions(): number;
}

export const T0 = Date.parse('2026-11-27T09:00:00.000Z');

export function sampleStatus(target = 'prediction-service'): TargetStatusView {
  return {
    target,
    policy: target,
    phase: 'rolled_back',
    phaseSince: '2026-11-27T08:50:00.000Z',
    variant: 'baseline',
    services: [{ service: target, known: true, value: 'baseline', detail: `${target}-api-1`, since: '2026-11-27T08:46:00.000Z' }],
    canAct: { ok: true, detail: 'ok', since: '2026-11-27T08:40:00.000Z', checkedAt: '2026-11-27T08:59:45.000Z' },
    rollback: {
      id: `rb-${target}-1`,
      reason: 'high-error-rate',
      trigger: { kind: 'automatic' },
      startedAt: '2026-11-27T08:45:00.000Z',
      ageSeconds: 900,
      baselineBreach: null,
      attempts: 1,
      nextAttemptAt: null,
      services: [],
      warningsSent: 0,
      nextWarningAt: '2026-11-27T09:45:00.000Z',
    },
    pause: null,
    hold: null,
    lastEvaluation: {
      at: '2026-11-27T08:59:45.000Z',
      verdicts: [
        { conditionId: 'error-ratio', status: 'breach', value: 0.12, comparison: 'above', threshold: 0.05, forMs: 300_000, sustainedMs: 300_000, sustained: true },
        { conditionId: 'p95-latency', status: 'unknown', cause: 'no_data', detail: 'empty vector', comparison: 'above', threshold: 0.8, forMs: 300_000, sustainedMs: 0, sustained: false },
      ],
    },
    lastError: null,
    inFlight: null,
    standbys: [{ service: target, state: 'not-needed', detail: `${target} already runs MODEL_VARIANT=baseline`, container: null, checkedAt: '2026-11-27T08:59:45.000Z' }],
    heldTriggers: [],
    shadow: null,
  };
}

export function sampleEntry(overrides: Partial<HistoryEntryView> = {}): HistoryEntryView {
  return {
    id: 'rb-prediction-service-1',
    target: 'prediction-service',
    policy: 'prediction-service',
    action: 'rollback',
    trigger: { kind: 'automatic' },
    reason: 'high-error-rate',
    evidence: {
      policy: 'prediction-service',
      reason: 'high-error-rate',
      trigger: { kind: 'automatic' },
      conditions: [{ conditionId: 'error-ratio', query: 'q', value: 0.1234567, comparison: 'above', threshold: 0.05, forMs: 300_000, sustainedMs: 300_000 }],
      atMs: T0,
    },
    startedAt: '2026-11-27T08:45:00.000Z',
    endedAt: '2026-11-27T08:55:00.000Z',
    durationSeconds: 600,
    result: 'succeeded',
    notes: '',
    ...overrides,
  };
}

export function createRecordingController(): RecordingController {
  const operations = new Map<string, OperationView>();
  let seq = 0;
  const newOperation = (kind: OperationView['kind'], target: string): OperationView => {
    seq += 1;
    const op: OperationView = { id: `op-${seq}`, kind, target, submittedAt: new Date(T0).toISOString(), status: 'queued', message: null };
    operations.set(op.id, op);
    return op;
  };
  const seenAlerts = new Set<string>();

  const controller: RecordingController = {
    calls: [],
    ready: { ready: true, detail: 'policies loaded, state restored' },
    targets: [sampleStatus()],
    entries: [sampleEntry()],
    policiesView: {
      policies: [{ name: 'prediction-service', file: 'policies/prediction-service.yaml', target: 'prediction-service', reasons: ['high-error-rate'], vetoes: [], alerts: [] }],
      loadedAt: '2026-11-27T08:00:00.000Z',
      lastReloadError: null,
    },
    timelineViews: [],
    inFlight: new Map(),
    matchedAlertnames: new Set(['PredictionErrorsHigh']),
    operationOutcome: null,
    submitAnswer: null,
    actions() {
      return this.calls.filter((c) => c.method !== 'history').length;
    },
    readiness() {
      return this.ready;
    },
    status() {
      return this.targets;
    },
    async history(query) {
      this.calls.push({ method: 'history', query });
      const selected = this.entries.filter((e) => (query.target === undefined || e.target === query.target) && (query.sinceMs === undefined || Date.parse(e.startedAt) >= query.sinceMs));
      return { entries: selected.slice(query.offset, query.offset + query.limit), total: selected.length };
    },
    policies() {
      return this.policiesView;
    },
    timelines() {
      return this.timelineViews;
    },
    async submit(target, request): Promise<SubmitOutcome> {
      this.calls.push({ method: 'submit', target, request });
      if (!this.targets.some((t) => t.target === target)) return { outcome: 'unknown_target', target };
      const busy = this.inFlight.get(target);
      if (busy !== undefined) return { outcome: 'conflict', reason: `${busy.kind} already in flight for ${target}`, inFlight: busy };
      const operation = newOperation(request.kind === 'clear_candidate' ? 'candidate' : request.kind, target);
      return this.submitAnswer === null ? { outcome: 'accepted', operation } : this.submitAnswer(request, operation);
    },
    operation(id) {
      const op = operations.get(id);
      if (op === undefined || this.operationOutcome === null || op.status === 'done' || op.status === 'refused' || op.status === 'failed') return op;
      const next: OperationView = op.status === 'queued' ? { ...op, status: 'running', message: `${op.kind} running` } : { ...op, ...this.operationOutcome };
      operations.set(id, next);
      return next;
    },
    async alertmanagerWebhook(alerts): Promise<WebhookOutcome> {
      this.calls.push({ method: 'alertmanagerWebhook', alerts });
      const queued: OperationView[] = [];
      let duplicates = 0;
      let resolvedIgnored = 0;
      let unmatched = 0;
      for (const alert of alerts) {
        if (alert.status === 'resolved') {
          resolvedIgnored += 1;
          continue;
        }
        const key = `${alert.fingerprint}@${alert.startsAt}`;
        if (seenAlerts.has(key)) {
          duplicates += 1;
          continue;
        }
        seenAlerts.add(key);
        if (this.matchedAlertnames.has(alert.labels['alertname'] ?? '')) queued.push(newOperation('webhook', 'prediction-service'));
        else unmatched += 1;
      }
      return { queued, duplicates, resolvedIgnored, unmatched };
    },
  };
  return controller;
}
