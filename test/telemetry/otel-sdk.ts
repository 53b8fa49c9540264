// The OpenTelemetry SDK as an app registers it, for the telemetry tests: spans to an exporter of the test's choice,
// metrics to a reader the test collects from on demand, and AsyncLocalStorage as the context manager.
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Collects when asked (the test's own metric reader: nothing is exported on a timer). */
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface RegisteredSdk {
  /** Sum of a counter, or count of a histogram, over the points whose attributes include `where`. */
  metric(name: string, where?: Record<string, string>): Promise<number>;
  shutdown(): Promise<void>;
}

export function registerSdk(exporter: SpanExporter): RegisteredSdk {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(tracerProvider);
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    async metric(name, where = {}) {
      const { resourceMetrics } = await reader.collect();
      let total = 0;
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const m of scope.metrics) {
          if (m.descriptor.name !== name) continue;
          for (const point of m.dataPoints as DataPoint<number | Histogram>[]) {
            const attrs = point.attributes;
            if (!Object.entries(where).every(([k, v]) => attrs[k] === v)) continue;
            total += typeof point.value === 'number' ? point.value : point.value.count;
          }
        }
      }
      return total;
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      trace.disable();
      metrics.disable();
      context.disable();
    },
  };
}
