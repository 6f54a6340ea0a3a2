import { createServer } from 'node:http';
import { close, listen } from './http-recorder.js';

// A minimal real /metrics endpoint in the Prometheus text format, with values the test controls, so a
// real Prometheus can scrape known numbers.

export interface ExportedSeries {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Any number, NaN and ±Inf included (written as NaN, +Inf, -Inf as the text format wants). */
  readonly value: number;
}

export interface MetricsExporter {
  /** `127.0.0.1:<port>`: what startPrometheus({scrapeTargets}) wants. */
  readonly target: string;
  readonly port: number;
  /** Replaces the whole exposition from the next scrape on. */
  set(series: readonly ExportedSeries[]): void;
  stop(): Promise<void>;
}

export async function startMetricsExporter(initial: readonly ExportedSeries[] = []): Promise<MetricsExporter> {
  let series = initial;
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(render(series));
  });
  const port = await listen(server);
  return {
    target: `127.0.0.1:${port}`,
    port,
    set(next) {
      series = next;
    },
    stop: () => close(server),
  };
}

export function render(series: readonly ExportedSeries[]): string {
  const lines: string[] = [];
  const typed = new Set<string>();
  for (const s of series) {
    if (!typed.has(s.name)) {
      typed.add(s.name);
      lines.push(`# TYPE ${s.name} gauge`);
    }
    const labels = Object.entries(s.labels ?? {})
      .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
      .join(',');
    lines.push(`${s.name}${labels === '' ? '' : `{${labels}}`} ${formatValue(s.value)}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
