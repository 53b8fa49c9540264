// Metrics through @opentelemetry/api's meter: instances started, completed and failed by orchestration name, activity
// and episode durations, lease losses, and the backlog a worker's store reports. The API has no proxy meter, so the
// instruments are made again whenever the registered meter provider changes (an SDK registered after Taskhub loaded).
import { metrics, type Counter, type Histogram, type Meter, type MeterProvider } from '@opentelemetry/api';
import type { Store } from '../store/store.js';
import { safely } from './safely.js';
import { Attr, INSTRUMENTATION_NAME } from './tracing.js';

interface Instruments {
  readonly meter: Meter;
  readonly started: Counter;
  readonly completed: Counter;
  readonly failed: Counter;
  readonly activityDuration: Histogram;
  readonly episodeDuration: Histogram;
  readonly leaseLost: Counter;
}

/** Metric names, as the docs list them. */
export const MetricNames = {
  started: 'durabletask.orchestration.started',
  completed: 'durabletask.orchestration.completed',
  failed: 'durabletask.orchestration.failed',
  activityDuration: 'durabletask.activity.duration',
  episodeDuration: 'durabletask.orchestration.episode.duration',
  leaseLost: 'durabletask.orchestration.lease_lost',
  backlogMessages: 'durabletask.backlog.messages',
  backlogWorkItems: 'durabletask.backlog.work_items',
  backlogTimers: 'durabletask.backlog.timers',
} as const;

let current: { provider: MeterProvider; instruments: Instruments } | undefined;

function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (current?.provider === provider) return current.instruments;
  const meter = provider.getMeter(INSTRUMENTATION_NAME);
  const made: Instruments = {
    meter,
    started: meter.createCounter(MetricNames.started, { description: 'Orchestration executions started.' }),
    completed: meter.createCounter(MetricNames.completed, { description: 'Orchestration executions completed.' }),
    failed: meter.createCounter(MetricNames.failed, { description: 'Orchestration executions failed.' }),
    activityDuration: meter.createHistogram(MetricNames.activityDuration, {
      description: 'Time an activity function ran.',
      unit: 's',
    }),
    episodeDuration: meter.createHistogram(MetricNames.episodeDuration, {
      description: 'Time an orchestration episode ran (replay included), until its commit was accepted.',
      unit: 's',
    }),
    leaseLost: meter.createCounter(MetricNames.leaseLost, {
      description: 'Episodes whose commit the store rejected: another worker took the instance, or its history moved.',
    }),
  };
  current = { provider, instruments: made };
  return made;
}

/** Counts an orchestration execution's start, and its end when the same commit ends it. */
export function executionCommitted(name: string, started: boolean, ended: 'Completed' | 'Failed' | undefined): void {
  safely(undefined, () => {
    const i = instruments();
    const attributes = { [Attr.name]: name };
    if (started) i.started.add(1, attributes);
    if (ended === 'Completed') i.completed.add(1, attributes);
    else if (ended === 'Failed') i.failed.add(1, attributes);
  });
}

export function episodeCommitted(name: string, ms: number): void {
  safely(undefined, () => instruments().episodeDuration.record(ms / 1000, { [Attr.name]: name }));
}

export function activityRanFor(name: string, ms: number, failed: boolean): void {
  safely(undefined, () =>
    instruments().activityDuration.record(ms / 1000, {
      [Attr.name]: name,
      [Attr.status]: failed ? 'Failed' : 'Completed',
    }),
  );
}

export function leaseLost(): void {
  safely(undefined, () => instruments().leaseLost.add(1));
}

/**
 * Observable gauges of a store's backlog, read when a metric reader collects (never on the hot path), for stores
 * that can count it cheaply. Returns the unregister; nothing is registered for a store without `backlog`.
 */
export function observeBacklog(store: Store): () => void {
  return safely(
    () => {},
    () => registerBacklog(store),
  );
}

function registerBacklog(store: Store): () => void {
  const backlog = store.backlog?.bind(store);
  if (!backlog) return () => {};
  const meter = instruments().meter;
  const messages = meter.createObservableGauge(MetricNames.backlogMessages, {
    description: 'Orchestration and entity messages that are visible and waiting to be processed.',
  });
  const workItems = meter.createObservableGauge(MetricNames.backlogWorkItems, {
    description: 'Activity work items waiting or running.',
  });
  const timers = meter.createObservableGauge(MetricNames.backlogTimers, {
    description: 'Durable timers (delayed messages) not yet due.',
  });
  const hub = { 'durabletask.task_hub': store.hubName };
  const callback = async (result: {
    observe(metric: typeof messages, value: number, attributes: Record<string, string>): void;
  }): Promise<void> => {
    try {
      const b = await backlog();
      result.observe(messages, b.messages, hub);
      result.observe(workItems, b.workItems, hub);
      result.observe(timers, b.timers, hub);
    } catch {
      // An unreachable store reports no backlog this time; the outage is logged by the store's own watch.
    }
  };
  meter.addBatchObservableCallback(callback, [messages, workItems, timers]);
  return () => safely(undefined, () => meter.removeBatchObservableCallback(callback, [messages, workItems, timers]));
}
