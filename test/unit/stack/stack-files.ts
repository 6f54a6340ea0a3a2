// Shared by the stack's unit tests: the docker/ files they check, read once, and the metric names the
// code really registers, taken from the live prom-client registries rather than a hand-kept list.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import { Registry } from 'prom-client';
import { createControllerMetrics } from '../../../controller/metrics.js';
import { CONSUMER_METRIC } from '../../../service/consumer/metrics.js';
import { createMetrics } from '../../../service/metrics.js';
import { createShadowMetrics } from '../../../service/shadow/shadow-metrics.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export function readRepoFile(path: string): string {
  return readFileSync(join(REPO, path), 'utf8');
}

/** Series names a registry exposes: histograms as _bucket/_sum/_count, everything else by its name. */
function seriesNames(registry: Registry): string[] {
  return registry.getMetricsAsArray().flatMap((m) => {
    const type: unknown = m.type;
    return type === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name];
  });
}

/** Every metric name a query in docker/ may use: service, consumer, controller, and Prometheus's own. */
export function knownMetricNames(): Set<string> {
  const service = new Registry();
  createMetrics(service, { variant: 'ml', version: 'xgb-test' });
  createShadowMetrics(service, 'http://candidate:8000'); // registered when SHADOW_URL is set
  const controller = createControllerMetrics(new Registry());
  const consumer = Object.values(CONSUMER_METRIC).flatMap((name) =>
    name.endsWith('_seconds') ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
  );
  return new Set([...seriesNames(service), ...seriesNames(controller.registry), ...consumer, 'up', 'ALERTS', 'ALERTS_FOR_STATE']);
}

export interface ParsedQuery {
  readonly errors: number;
  /** Metric names of the query's vector selectors, in order. */
  readonly metrics: string[];
}

/** Parses a query with the Lezer grammar Prometheus's own UI uses. */
export function parsePromql(query: string): ParsedQuery {
  const metrics: string[] = [];
  let errors = 0;
  parser.parse(query).iterate({
    enter(node) {
      if (node.type.isError) errors += 1;
      if (node.name === 'VectorSelector') {
        const name = node.node.firstChild;
        if (name?.name === 'Identifier') metrics.push(query.slice(name.from, name.to));
      }
    },
  });
  return { errors, metrics };
}
