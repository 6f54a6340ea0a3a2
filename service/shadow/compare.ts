// Pairs a candidate's answer with what was served for the same request. The candidate speaks the same API
// (docs/service.md): /predict answers {prediction, ...}, /predict/batch {predictions: [{prediction, ...}]}
// in request order. Anything else is not an answer to the request, and its mirror counts as an error.
import type { Score } from '../scorers/scorer.js';

export type Pairing = { readonly agree: number; readonly differ: number } | { readonly problem: string };

function classOf(item: unknown): 0 | 1 | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const prediction = (item as { prediction?: unknown }).prediction;
  return prediction === 0 || prediction === 1 ? prediction : undefined;
}

/** The candidate's classes in order, or why its body holds none fit to compare. */
function candidateClasses(route: string, body: unknown): (0 | 1)[] | string {
  if (route === '/predict') {
    const only = classOf(body);
    return only === undefined ? 'the answer has no prediction 0 or 1' : [only];
  }
  const items = typeof body === 'object' && body !== null ? (body as { predictions?: unknown }).predictions : undefined;
  if (!Array.isArray(items)) return 'the answer has no predictions array';
  const classes: (0 | 1)[] = [];
  for (const item of items) {
    const c = classOf(item);
    if (c === undefined) return `predictions[${classes.length}] has no prediction 0 or 1`;
    classes.push(c);
  }
  return classes;
}

/** Per instance, whether the candidate's class equals the served one. */
export function pairPredictions(route: string, body: unknown, served: readonly Score[]): Pairing {
  const classes = candidateClasses(route, body);
  if (typeof classes === 'string') return { problem: classes };
  if (classes.length !== served.length) return { problem: `the answer holds ${classes.length} predictions for ${served.length} instances` };
  let agree = 0;
  for (let i = 0; i < classes.length; i++) if (classes[i] === served[i]?.prediction) agree++;
  return { agree, differ: classes.length - agree };
}
