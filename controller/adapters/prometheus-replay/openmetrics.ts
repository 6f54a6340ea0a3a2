// Renders replay series as the OpenMetrics text `promtool tsdb create-blocks-from openmetrics` reads: one
// family after the other (OpenMetrics wants a family's samples together), each series' samples in time
// order, timestamps in seconds, no TYPE lines (every family is `unknown`, stored exactly as given).

import type { ReplayInput } from '../../ports/series-replay.js';

function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function seriesText(name: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

/** The whole OpenMetrics exposition, ending with `# EOF`; `samples` counts the lines written. */
export function renderOpenMetrics(input: ReplayInput): { readonly text: string; readonly samples: number } {
  const byName = new Map<string, ReplayInput['series'][number][]>();
  for (const s of input.series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const lines: string[] = [];
  for (const family of byName.values()) {
    for (const s of family) {
      const head = seriesText(s.name, s.labels);
      s.values.forEach((value, i) => {
        if (value === null) return;
        const seconds = (input.startMs + i * input.stepMs) / 1000;
        lines.push(`${head} ${formatValue(value)} ${seconds}`);
      });
    }
  }
  return { text: `${lines.join('\n')}${lines.length > 0 ? '\n' : ''}# EOF\n`, samples: lines.length };
}
