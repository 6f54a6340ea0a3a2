// A condition's last hour as a small inline SVG: the value line, the threshold dashed, one verdict cell per
// bucket along the bottom, and the buckets where the target was rolled back, switching, paused or failed
// shaded. Colours come from app.css classes (the CSP allows no inline style).
import type { ConditionTimelineView, TimelineView } from '../../controller/ports/controller.js';
import { svg } from './dom.js';
import { value as formatValue } from './format.js';

const WIDTH = 240;
const HEIGHT = 44;
const PLOT_HEIGHT = 36;
/** `pending` is still watching (a `for` timer runs): the verdict cells already show its breach. */
const UNSHADED = new Set(['watching', 'pending']);
const VERDICT_CLASS: Readonly<Record<string, string>> = { b: 'v-breach', u: 'v-unknown', o: 'v-ok' };

function yScale(condition: ConditionTimelineView): (v: number) => number {
  const seen = condition.values.filter((v): v is number => v !== null);
  const top = Math.max(condition.threshold, ...seen) * 1.15 || 1;
  const bottom = Math.min(0, ...seen);
  return (v) => PLOT_HEIGHT - ((v - bottom) / (top - bottom)) * (PLOT_HEIGHT - 2) - 1;
}

/** Runs of consecutive values as polylines (a lone value as a dot): a bucket without a value breaks the line instead of bridging it. */
function valueLines(
  condition: ConditionTimelineView,
  x: (i: number) => number,
  y: (v: number) => number,
): SVGElement[] {
  const lines: SVGElement[] = [];
  let run: [number, number][] = [];
  const flush = (): void => {
    const [only] = run;
    if (run.length === 1 && only !== undefined)
      lines.push(
        svg('circle', { class: 'value-dot', cx: only[0].toFixed(1), cy: only[1].toFixed(1), r: 1.5 }),
      );
    if (run.length > 1)
      lines.push(
        svg('polyline', {
          class: 'value-line',
          points: run.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' '),
        }),
      );
    run = [];
  };
  condition.values.forEach((v, i) => {
    if (v === null) flush();
    else run.push([x(i), y(v)]);
  });
  flush();
  return lines;
}

export function conditionChart(timeline: TimelineView, condition: ConditionTimelineView): SVGElement {
  const n = Math.max(1, condition.values.length);
  const step = WIDTH / n;
  const x = (i: number): number => i * step + step / 2;
  const y = yScale(condition);
  const shaded = timeline.phases.flatMap((phase, i) =>
    phase !== null && !UNSHADED.has(phase)
      ? [
          svg('rect', {
            class: `phase-${phase}`,
            x: (i * step).toFixed(1),
            y: 0,
            width: step.toFixed(1),
            height: PLOT_HEIGHT,
          }),
        ]
      : [],
  );
  const cells = [...condition.verdicts].flatMap((c, i) => {
    const cls = VERDICT_CLASS[c];
    return cls === undefined
      ? []
      : [
          svg('rect', {
            class: cls,
            x: (i * step).toFixed(1),
            y: PLOT_HEIGHT + 2,
            width: Math.max(1, step - 0.5).toFixed(1),
            height: 6,
          }),
        ];
  });
  const threshold = y(condition.threshold).toFixed(1);
  const title = `${condition.conditionId}: last ${Math.round((n * timeline.bucketSeconds) / 60)} min, ${timeline.bucketSeconds}s buckets; threshold ${formatValue(condition.threshold)}`;
  return svg(
    'svg',
    {
      class: 'chart',
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      width: WIDTH,
      height: HEIGHT,
      role: 'img',
      'aria-label': title,
    },
    svg('title', {}, title),
    ...shaded,
    svg('line', { class: 'threshold', x1: 0, x2: WIDTH, y1: threshold, y2: threshold }),
    ...valueLines(condition, x, y),
    ...cells,
  );
}
