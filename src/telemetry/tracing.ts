// Spans through @opentelemetry/api only, with Durable Functions' (DurableTask's) span names and attributes. Every span
// is ended only once what it describes is committed, so a replay, a rejected commit or a crash before the commit emits
// nothing, and the run that does commit emits it once. With no SDK registered nothing here allocates a span.
import {
  context as otelContext,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { ExecutionStartedEvent, HistoryEvent, RuntimeStatus, TraceContext } from '../core/history.js';
import type { Store } from '../store/store.js';
import { safely } from './safely.js';
import { instanceParent, toStored } from './trace-context.js';

/** The instrumentation scope of every span and metric. */
export const INSTRUMENTATION_NAME = 'taskhub';

/** DurableTask's attribute names. */
export const Attr = {
  type: 'durabletask.type',
  name: 'durabletask.task.name',
  version: 'durabletask.task.version',
  instanceId: 'durabletask.task.instance_id',
  executionId: 'durabletask.task.execution_id',
  status: 'durabletask.task.status',
  taskId: 'durabletask.task.task_id',
  fireAt: 'durabletask.fire_at',
  operation: 'durabletask.task.operation',
  /** Taskhub's own: which delivery of an activity this run was (1 the first; more after a worker died mid-run). */
  attempt: 'durabletask.task.attempt',
} as const;

interface DelegatingProvider {
  getDelegate(): object;
  getDelegateTracer(name: string): Tracer | undefined;
}

let tracerOf: { delegate: object | undefined; tracer: Tracer | undefined } = { delegate: undefined, tracer: undefined };

/**
 * The tracer, or undefined when no SDK is registered: the fast path that keeps an untraced hub from building spans,
 * contexts or attributes. Looked up once per registered provider (the global proxy keeps its identity when an SDK
 * registers, so its delegate is what is compared).
 */
export function activeTracer(): Tracer | undefined {
  return safely(undefined, lookUpTracer);
}

function lookUpTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider() as Partial<DelegatingProvider> & { getTracer(name: string): Tracer };
  if (typeof provider.getDelegate !== 'function' || typeof provider.getDelegateTracer !== 'function') {
    return provider.getTracer(INSTRUMENTATION_NAME);
  }
  const delegate = provider.getDelegate();
  if (delegate !== tracerOf.delegate) {
    tracerOf = { delegate, tracer: provider.getDelegateTracer(INSTRUMENTATION_NAME) };
  }
  return tracerOf.tracer;
}

function fail(span: Span, message: string | undefined): void {
  span.setStatus({ code: SpanStatusCode.ERROR, ...(message === undefined ? {} : { message }) });
}

function withVersion(attributes: Attributes, version: string | undefined): Attributes {
  if (version) attributes[Attr.version] = version;
  return attributes;
}

/** A span started before the commit it describes: `end` once committed; dropped (never ended, never exported) if not. */
export interface PendingSpan {
  /** What to store in the new instance's ExecutionStarted, undefined when there is no trace to join. */
  readonly stored: TraceContext | undefined;
  end(error?: unknown): void;
}

/**
 * A client start: `create_orchestration:Name` (producer), a child of the caller's active span (an HTTP request's
 * `traceparent` included). Undefined when no SDK is registered.
 */
export function startCreateOrchestration(
  name: string,
  instanceId: string,
  executionId: string,
  version?: string,
): PendingSpan | undefined {
  const tracer = activeTracer();
  return tracer && safely(undefined, () => createSpan(tracer, name, instanceId, executionId, version));
}

function createSpan(
  tracer: Tracer,
  name: string,
  instanceId: string,
  executionId: string,
  version: string | undefined,
): PendingSpan {
  const span = tracer.startSpan(`create_orchestration:${name}`, { kind: SpanKind.PRODUCER }, otelContext.active());
  if (span.isRecording()) {
    span.setAttributes(
      withVersion(
        {
          [Attr.type]: 'orchestration',
          [Attr.name]: name,
          [Attr.instanceId]: instanceId,
          [Attr.executionId]: executionId,
        },
        version,
      ),
    );
  }
  return {
    stored: toStored(span.spanContext()),
    end(error) {
      safely(undefined, () => {
        if (error !== undefined) fail(span, error instanceof Error ? error.message : undefined);
        span.end();
      });
    },
  };
}

/** What a process remembers of one task hub's instances (by store, so two hubs in one process never mix). */
interface HubMemory {
  /** The parent of each instance's spans, by instance id: what its episodes, activities and entity calls join. */
  readonly known: Map<string, { readonly executionId: string; readonly parent: Context }>;
  /** When timers were set by episodes of this process (wall-clock ms), so a timer's span starts then. */
  readonly timersSet: Map<string, number>;
}
const memories = new WeakMap<Store, HubMemory>();
/** Each map forgets its oldest entries past this (instances that ended, timers that fired elsewhere or never). */
const MEMORY_MAX = 10_000;

function memoryOf(store: Store): HubMemory {
  let memory = memories.get(store);
  if (!memory) memories.set(store, (memory = { known: new Map(), timersSet: new Map() }));
  return memory;
}

function bounded<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MEMORY_MAX && !map.has(key)) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}

/** The parent of an execution's spans, parsed once per execution and process. */
function remember(store: Store, instanceId: string, started: ExecutionStartedEvent): Context {
  const known = memoryOf(store).known;
  const hit = known.get(instanceId);
  if (hit?.executionId === started.executionId) return hit.parent;
  const parent = instanceParent(started.parentTraceContext, started.executionId);
  bounded(known, instanceId, { executionId: started.executionId, parent });
  return parent;
}

/** The parent of an instance's spans; read from its stored history when this process has not run it. */
async function parentOf(store: Store, instanceId: string, executionId?: string): Promise<Context> {
  const hit = memoryOf(store).known.get(instanceId);
  if (hit && (executionId === undefined || hit.executionId === executionId)) return hit.parent;
  const started = (await store.getHistory(instanceId)).find(
    (e): e is ExecutionStartedEvent => e.eventType === 'ExecutionStarted',
  );
  if (!started) return instanceParent(undefined, executionId ?? instanceId);
  return remember(store, instanceId, started);
}

/** An activity run (wall-clock ms), kept with its completion event until that is committed. */
interface ActivityRun {
  readonly name: string;
  readonly instanceId: string;
  readonly taskScheduledId: number;
  /** 1 for the first delivery. */
  readonly attempt: number;
  readonly startMs: number;
  readonly endMs: number;
}
const activityRuns = new WeakMap<HistoryEvent, ActivityRun>();

/** Remember an activity's run beside its completion event; its span is emitted when the completion commits. */
export function activityRan(event: HistoryEvent, run: ActivityRun): void {
  if (activeTracer()) activityRuns.set(event, run);
}

function emitActivity(tracer: Tracer, parent: Context, event: HistoryEvent, run: ActivityRun): void {
  const span = tracer.startSpan(`activity:${run.name}`, { kind: SpanKind.SERVER, startTime: run.startMs }, parent);
  if (span.isRecording()) {
    span.setAttributes({
      [Attr.type]: 'activity',
      [Attr.name]: run.name,
      [Attr.instanceId]: run.instanceId,
      [Attr.taskId]: run.taskScheduledId,
      [Attr.attempt]: run.attempt,
    });
    if (event.eventType === 'TaskFailed') fail(span, event.failureDetails.errorMessage);
  }
  span.end(run.endMs);
}

/**
 * A claimed activity's completion was committed on its own: its span joins the instance's trace. Never rejects
 * (a telemetry failure must not reach the activity's completion path), so callers need not await it.
 */
export async function activityCommitted(store: Store, executionId: string, event: HistoryEvent): Promise<void> {
  const run = activityRuns.get(event);
  const tracer = activeTracer();
  if (!run || !tracer) return;
  activityRuns.delete(event);
  try {
    emitActivity(tracer, await parentOf(store, run.instanceId, executionId), event, run);
  } catch {
    // The store could not say where the instance's trace is: the span is left out, the activity is not.
  }
}

/**
 * One episode's spans: `orchestration:Name` (server) for the episode itself, and, once its commit is accepted, the
 * spans of what it consumed (local activities' runs, fired timers) and of the sub-orchestrations it started.
 */
export class EpisodeTrace {
  readonly #tracer: Tracer;
  readonly #parent: Context;
  readonly #started: ExecutionStartedEvent;
  readonly #instanceId: string;
  readonly #startMs: number;
  readonly #timersSet: Map<string, number>;
  readonly #children: Span[] = [];

  private constructor(
    tracer: Tracer,
    store: Store,
    started: ExecutionStartedEvent,
    instanceId: string,
    startMs: number,
  ) {
    this.#tracer = tracer;
    this.#started = started;
    this.#instanceId = instanceId;
    this.#startMs = startMs;
    this.#parent = remember(store, instanceId, started);
    this.#timersSet = memoryOf(store).timersSet;
  }

  /**
   * Undefined when no SDK is registered (or the execution's start is unknown). `startMs` is when the episode began
   * (wall clock), its replay included.
   */
  static begin(
    store: Store,
    started: ExecutionStartedEvent | undefined,
    instanceId: string,
    startMs: number,
  ): EpisodeTrace | undefined {
    const tracer = activeTracer();
    if (!tracer || !started) return undefined;
    return safely(undefined, () => new EpisodeTrace(tracer, store, started, instanceId, startMs));
  }

  /**
   * The parent orchestration's call of a sub-orchestration (`orchestration:Name`, client): the child's spans join
   * it through the returned context, stored in the child's ExecutionStarted.
   */
  subOrchestration(name: string, childInstanceId: string): TraceContext | undefined {
    return safely(undefined, () => this.#call(name, childInstanceId));
  }

  #call(name: string, childInstanceId: string): TraceContext | undefined {
    const span = this.#tracer.startSpan(`orchestration:${name}`, { kind: SpanKind.CLIENT }, this.#parent);
    if (span.isRecording()) {
      span.setAttributes({ [Attr.type]: 'orchestration', [Attr.name]: name, [Attr.instanceId]: childInstanceId });
    }
    this.#children.push(span);
    return toStored(span.spanContext());
  }

  /** The episode's commit was accepted: emit its spans. Never throws, like every entry point here. */
  committed(
    status: RuntimeStatus,
    consumed: readonly HistoryEvent[],
    timers: readonly { readonly timerId: number }[],
    failure?: string,
  ): void {
    safely(undefined, () => this.#emit(status, consumed, timers, failure));
  }

  #emit(
    status: RuntimeStatus,
    consumed: readonly HistoryEvent[],
    timers: readonly { readonly timerId: number }[],
    failure: string | undefined,
  ): void {
    const now = Date.now();
    const started = this.#started;
    const id = this.#instanceId;
    const episode = this.#tracer.startSpan(
      `orchestration:${started.name}`,
      { kind: SpanKind.SERVER, startTime: this.#startMs },
      this.#parent,
    );
    if (episode.isRecording()) {
      episode.setAttributes(
        withVersion(
          {
            [Attr.type]: 'orchestration',
            [Attr.name]: started.name,
            [Attr.instanceId]: id,
            [Attr.executionId]: started.executionId,
            [Attr.status]: status,
          },
          started.version,
        ),
      );
      if (status === 'Failed') fail(episode, failure);
    }
    episode.end(now);
    for (const child of this.#children) child.end(now);
    for (const event of consumed) {
      if (event.eventType === 'TimerFired') this.#timer(event.timerId, event.fireAt, now);
      const run = activityRuns.get(event);
      if (run) {
        activityRuns.delete(event);
        emitActivity(this.#tracer, this.#parent, event, run);
      }
    }
    for (const t of timers) bounded(this.#timersSet, `${id}\n${t.timerId}`, now);
  }

  #timer(timerId: number, fireAt: string, now: number): void {
    const key = `${this.#instanceId}\n${timerId}`;
    const setAt = this.#timersSet.get(key);
    this.#timersSet.delete(key);
    const span = this.#tracer.startSpan(
      `orchestration:${this.#started.name}:timer`,
      { kind: SpanKind.INTERNAL, startTime: setAt ?? Date.parse(fireAt) },
      this.#parent,
    );
    if (span.isRecording()) {
      span.setAttributes({
        [Attr.type]: 'timer',
        [Attr.name]: this.#started.name,
        [Attr.instanceId]: this.#instanceId,
        [Attr.taskId]: timerId,
        [Attr.fireAt]: fireAt,
      });
    }
    span.end(now);
  }
}

/** One entity operation run in a committed batch. */
export interface EntityOperationRun {
  readonly entityId: string;
  readonly entityName: string;
  readonly operation: string;
  readonly signal: boolean;
  /** The orchestration that asked for it; its trace is the one the span joins. */
  readonly caller: string;
}

/**
 * A committed entity batch: `entity:Name:operation` per operation an orchestration asked for (server for a call,
 * consumer for a signal), under the caller's trace. Never rejects, like activityCommitted.
 */
export async function entityBatchCommitted(
  store: Store,
  runs: readonly EntityOperationRun[],
  startMs: number,
  endMs: number,
): Promise<void> {
  const tracer = activeTracer();
  if (!tracer) return;
  try {
    for (const run of runs) {
      const parent = await parentOf(store, run.caller);
      const span = tracer.startSpan(
        `entity:${run.entityName}:${run.operation}`,
        { kind: run.signal ? SpanKind.CONSUMER : SpanKind.SERVER, startTime: startMs },
        parent,
      );
      if (span.isRecording()) {
        span.setAttributes({
          [Attr.type]: 'entity',
          [Attr.name]: run.entityName,
          [Attr.instanceId]: run.entityId,
          [Attr.operation]: run.signal ? 'signal_entity' : 'call_entity',
        });
      }
      span.end(endMs);
    }
  } catch {
    // As for activities: the spans are left out, the batch is committed all the same.
  }
}
