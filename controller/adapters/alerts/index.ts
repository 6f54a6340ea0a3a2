// Alert sinks (ports/alert-sink.ts): the log (always), Alertmanager, and a generic JSON webhook.
export { AlertmanagerSink, ALERTMANAGER_DEFAULTS, type AlertmanagerSinkOptions } from './alertmanager-sink.js';
export { LogSink } from './log-sink.js';
export { WebhookSink, type WebhookSinkOptions } from './webhook-sink.js';
