import axios, { type AxiosInstance } from 'axios';
import type { Alert } from '../../core/alert.js';
import type { AlertSink } from '../../ports/alert-sink.js';
import { toPostableAlert } from './alertmanager-payload.js';
import { postJson } from './post-json.js';

// AlertSink over Alertmanager's API v2 (POST /api/v2/alerts), behaving like Prometheus does as a client:
// a firing alert is posted with endsAt = now + 4 x resendInterval and re-posted every resendInterval
// while it lasts. Without the re-posts Alertmanager resolves it by itself at endsAt, and a long-running
// condition (e.g. "rollback active for 1h") would look over when it is not. A resolved alert is posted
// once with endsAt = resolvedAt and leaves the active set.

export interface AlertmanagerSinkOptions {
  /** e.g. `http://127.0.0.1:9093` (a path prefix is kept). */
  readonly baseUrl: string;
  readonly http?: AxiosInstance;
  readonly timeoutMs?: number;
  /** How often active firing alerts are re-posted (Prometheus' --rules.alert.resend-delay is 1 m). */
  readonly resendIntervalMs?: number;
  /** The clock; injectable so tests can move time. */
  readonly now?: () => number;
  /** Link shown in Alertmanager's UI, e.g. the controller's status page. */
  readonly generatorURL?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** For an Alertmanager behind `--web.config.file` basic auth (the stack's). Sent as `Authorization: Basic`. */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  readonly name?: string;
}

export const ALERTMANAGER_DEFAULTS = {
  timeoutMs: 5_000,
  resendIntervalMs: 60_000,
  /** endsAt = now + this x resendInterval, as Prometheus does: three re-posts may be lost before expiry. */
  endsAtResendMultiple: 4,
} as const;

interface ActiveAlert {
  alert: Alert;
  /** When it last reached Alertmanager; undefined after a failed first post (so it is due at once). */
  lastSentMs: number | undefined;
}

export class AlertmanagerSink implements AlertSink {
  readonly name: string;
  readonly resendIntervalMs: number;
  private readonly url: string;
  private readonly receiver: string;
  private readonly http: AxiosInstance;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly generatorURL: string | undefined;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly active = new Map<string, ActiveAlert>();
  /**
   * Posts run one at a time: a re-post of a firing alert that lands AFTER its resolve would make
   * Alertmanager (which keeps the most recently received version) fire it again.
   */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: AlertmanagerSinkOptions) {
    const base = options.baseUrl.replace(/\/+$/, '');
    this.url = `${base}/api/v2/alerts`;
    this.receiver = `Alertmanager at ${base}`;
    this.name = options.name ?? 'alertmanager';
    this.http = options.http ?? axios.create();
    this.timeoutMs = options.timeoutMs ?? ALERTMANAGER_DEFAULTS.timeoutMs;
    this.resendIntervalMs = options.resendIntervalMs ?? ALERTMANAGER_DEFAULTS.resendIntervalMs;
    this.now = options.now ?? Date.now;
    this.generatorURL = options.generatorURL;
    const auth = options.basicAuth;
    this.headers = {
      ...(options.headers ?? {}),
      ...(auth === undefined ? {} : { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}` }),
    };
  }

  send(alert: Alert): Promise<void> {
    return this.exclusive(async () => {
      if (alert.resolvedAtMs !== undefined) {
        // Leave the set first: even if this post fails, resend() must never re-fire a resolved alert.
        this.active.delete(alert.dedupKey);
        await this.post([alert], alert.resolvedAtMs);
        return;
      }
      const entry: ActiveAlert = { alert, lastSentMs: this.active.get(alert.dedupKey)?.lastSentMs };
      this.active.set(alert.dedupKey, entry);
      const nowMs = this.now();
      await this.post([alert], this.firingEndsAt(nowMs));
      entry.lastSentMs = nowMs;
    });
  }

  resend(nowMs: number): Promise<void> {
    return this.exclusive(async () => {
      const due = [...this.active.values()].filter((e) => e.lastSentMs === undefined || nowMs - e.lastSentMs >= this.resendIntervalMs);
      if (due.length === 0) return;
      await this.post(
        due.map((e) => e.alert),
        this.firingEndsAt(nowMs),
      );
      for (const entry of due) entry.lastSentMs = nowMs;
    });
  }

  /** The firing alerts this sink keeps alive, for status pages and tests. */
  activeAlerts(): readonly Alert[] {
    return [...this.active.values()].map((e) => e.alert);
  }

  private firingEndsAt(nowMs: number): number {
    return nowMs + ALERTMANAGER_DEFAULTS.endsAtResendMultiple * this.resendIntervalMs;
  }

  private post(alerts: readonly Alert[], endsAtMs: number): Promise<void> {
    return postJson({
      http: this.http,
      sink: this.name,
      receiver: this.receiver,
      url: this.url,
      body: alerts.map((a) => toPostableAlert(a, endsAtMs, this.generatorURL)),
      timeoutMs: this.timeoutMs,
      headers: this.headers,
      dedupKeys: alerts.map((a) => a.dedupKey),
    });
  }

  private exclusive(job: () => Promise<void>): Promise<void> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
