import axios, { type AxiosInstance } from 'axios';
import type { Alert } from '../../core/alert.js';
import type { AlertSink } from '../../ports/alert-sink.js';
import { alertFields, alertText, type AlertFields } from './format.js';
import { postJson } from './post-json.js';

// AlertSink that POSTs a generic JSON body: the alert's fields plus a Slack-compatible `text`, so the same
// URL can be a Slack incoming webhook, a chat bridge, or any HTTP receiver that wants structured fields.

export interface WebhookSinkOptions {
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly bearerToken?: string;
  /** Extra headers (they win over the bearer token's Authorization if both are set). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly http?: AxiosInstance;
  readonly timeoutMs?: number;
  readonly name?: string;
}

/** The JSON body, documented in docs/adapters.md: a Slack-compatible `text` plus the alert's fields. */
export interface WebhookBody extends AlertFields {
  /** Slack-compatible one-liner: `[WARNING] api: Rollback active for 1h ...`. */
  readonly text: string;
  readonly source: 'guardrail';
}

export function toWebhookBody(alert: Alert): WebhookBody {
  return { text: alertText(alert), source: 'guardrail', ...alertFields(alert) };
}

export class WebhookSink implements AlertSink {
  readonly name: string;
  private readonly url: string;
  private readonly receiver: string;
  private readonly http: AxiosInstance;
  private readonly timeoutMs: number;
  private readonly headers: Readonly<Record<string, string>>;

  constructor(options: WebhookSinkOptions) {
    this.url = options.url;
    // Never put the URL's query string (Slack's secret path is the token) or userinfo into messages.
    const parsed = new URL(options.url);
    this.receiver = `webhook at ${parsed.protocol}//${parsed.host}`;
    this.name = options.name ?? 'webhook';
    this.http = options.http ?? axios.create();
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.headers = {
      ...(options.bearerToken === undefined ? {} : { Authorization: `Bearer ${options.bearerToken}` }),
      ...options.headers,
    };
  }

  send(alert: Alert): Promise<void> {
    return postJson({
      http: this.http,
      sink: this.name,
      receiver: this.receiver,
      url: this.url,
      body: toWebhookBody(alert),
      timeoutMs: this.timeoutMs,
      headers: this.headers,
      dedupKeys: [alert.dedupKey],
    });
  }
}
