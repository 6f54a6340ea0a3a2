import type { Logger } from 'pino';
import { AlertmanagerSink, LogSink, WebhookSink } from '../adapters/alerts/index.js';
import type { ControllerConfig } from '../config.js';
import type { AlertSink } from '../ports/alert-sink.js';

/** The log always (an alert is never lost entirely), plus Alertmanager and a JSON webhook when configured. */
export function alertSinks(config: ControllerConfig, logger: Logger): AlertSink[] {
  const sinks: AlertSink[] = [new LogSink(logger.child({ component: 'alerts' }))];
  const { alertmanagerUrl, alertmanagerUsername, alertmanagerPassword, webhookUrl, webhookBearerToken, resendIntervalMs } = config.alerts;
  if (alertmanagerUrl !== undefined) {
    const basicAuth = alertmanagerUsername === undefined || alertmanagerPassword === undefined ? {} : { basicAuth: { username: alertmanagerUsername, password: alertmanagerPassword } };
    sinks.push(new AlertmanagerSink({ baseUrl: alertmanagerUrl, resendIntervalMs, ...basicAuth }));
  }
  if (webhookUrl !== undefined) {
    sinks.push(new WebhookSink(webhookBearerToken === undefined ? { url: webhookUrl } : { url: webhookUrl, bearerToken: webhookBearerToken }));
  }
  return sinks;
}
