import type { Logger } from 'pino';
import type { Alert, Severity } from '../../core/alert.js';
import type { AlertSink } from '../../ports/alert-sink.js';
import { alertFields, alertText } from './format.js';

// AlertSink that writes alerts to the controller's structured log: always available, so an alert is
// never lost entirely even when every remote sink is down.

type LogLevel = 'info' | 'warn' | 'error';

const LEVEL_BY_SEVERITY: Readonly<Record<Severity, LogLevel>> = { info: 'info', warning: 'warn', critical: 'error' };

export class LogSink implements AlertSink {
  readonly name: string;
  private readonly logger: Pick<Logger, LogLevel>;

  constructor(logger: Pick<Logger, LogLevel>, name = 'log') {
    this.logger = logger;
    this.name = name;
  }

  send(alert: Alert): Promise<void> {
    // A resolved alert is good news: log it at info whatever the severity was.
    const level: LogLevel = alert.resolvedAtMs === undefined ? LEVEL_BY_SEVERITY[alert.severity] : 'info';
    this.logger[level]({ alert: alertFields(alert) }, alertText(alert));
    return Promise.resolve();
  }
}
