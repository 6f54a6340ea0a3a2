// What the prediction service and the consumer register the same way: the process's default metrics, the
// `model_info` gauge the controller's policies read, and counters/histograms bound to one injected Registry
// (tests get a fresh one each, so nothing leaks into prom-client's global registry).
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import { METRIC, type ModelVariant } from './contract.js';

interface MetricSpec<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
}

export interface MetricRegistrar {
  counter<L extends string>(spec: MetricSpec<L>): Counter<L>;
  histogram<L extends string>(spec: MetricSpec<L> & { readonly buckets: readonly number[] }): Histogram<L>;
}

/** Registers the default process metrics on `registry` and returns constructors bound to it. */
export function metricRegistrar(registry: Registry): MetricRegistrar {
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    counter: (spec) => new Counter({ ...spec, labelNames: [...spec.labelNames], registers }),
    histogram: (spec) => new Histogram({ ...spec, labelNames: [...spec.labelNames], buckets: [...spec.buckets], registers }),
  };
}

/** `model_info{variant,version} 1`: which model this process serves (the policies' model-not-loaded and deploy checks). */
export function registerModelInfo(registry: Registry, help: string, model: { readonly variant: ModelVariant; readonly version: string } | undefined): Gauge<'variant' | 'version'> {
  const gauge = new Gauge({ name: METRIC.modelInfo, help, labelNames: ['variant', 'version'] as const, registers: [registry] });
  if (model !== undefined) gauge.set({ variant: model.variant, version: model.version }, 1);
  return gauge;
}
