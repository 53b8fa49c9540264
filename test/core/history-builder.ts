// Small builders for history events and a driver that runs an orchestrator episode by episode, for core tests.
// The driver checks on every episode that a cached executor and a fresh replay of the stored history agree.
import { expect } from 'vitest';
import type { OrchestrationHandler } from '../../src/core/context.js';
import type { EpisodeResult } from '../../src/core/episode.js';
import type { FailureDetails, HistoryEvent } from '../../src/core/history.js';
import { createOrchestrationExecutor, type OrchestrationExecutor } from '../../src/core/replay.js';

export const T0 = Date.parse('2025-01-01T00:00:00.000Z');
/** ISO time `seconds` after T0. */
export const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();
const json = (value: unknown): { input?: string } => (value === undefined ? {} : { input: JSON.stringify(value) });

export const ev = {
  started: (name: string, input?: unknown, extra: Partial<HistoryEvent & { eventType: 'ExecutionStarted' }> = {}) =>
    ({
      eventType: 'ExecutionStarted',
      eventId: -1,
      timestamp: at(0),
      name,
      instanceId: 'test-instance',
      executionId: 'exec-1',
      ...json(input),
      ...extra,
    }) as HistoryEvent,
  completed: (id: number, result?: unknown): HistoryEvent => ({
    eventType: 'TaskCompleted',
    eventId: -1,
    timestamp: at(0),
    taskScheduledId: id,
    ...(result === undefined ? {} : { result: JSON.stringify(result) }),
  }),
  failed: (id: number, message: string, name = 'Activity', extra: Partial<FailureDetails> = {}): HistoryEvent => ({
    eventType: 'TaskFailed',
    eventId: -1,
    timestamp: at(0),
    taskScheduledId: id,
    reason: `Activity function '${name}' failed: ${message}`,
    failureDetails: { errorType: 'Error', errorMessage: message, ...extra },
  }),
  subCompleted: (id: number, result?: unknown): HistoryEvent => ({
    eventType: 'SubOrchestrationInstanceCompleted',
    eventId: -1,
    timestamp: at(0),
    taskScheduledId: id,
    ...(result === undefined ? {} : { result: JSON.stringify(result) }),
  }),
  subFailed: (id: number, message: string, name = 'Child'): HistoryEvent => ({
    eventType: 'SubOrchestrationInstanceFailed',
    eventId: -1,
    timestamp: at(0),
    taskScheduledId: id,
    reason: `Sub orchestrator function '${name}' failed: ${message}`,
    failureDetails: { errorType: 'Error', errorMessage: message },
  }),
  timerFired: (id: number, fireAt: string): HistoryEvent => ({
    eventType: 'TimerFired',
    eventId: -1,
    timestamp: fireAt,
    timerId: id,
    fireAt,
  }),
  raised: (name: string, value?: unknown): HistoryEvent => ({
    eventType: 'EventRaised',
    eventId: -1,
    timestamp: at(0),
    name,
    ...json(value),
  }),
  terminated: (reason?: unknown): HistoryEvent => ({
    eventType: 'ExecutionTerminated',
    eventId: -1,
    timestamp: at(0),
    ...json(reason),
  }),
  suspended: (): HistoryEvent => ({ eventType: 'ExecutionSuspended', eventId: -1, timestamp: at(0) }),
  resumed: (): HistoryEvent => ({ eventType: 'ExecutionResumed', eventId: -1, timestamp: at(0) }),
  scheduled: (id: number, name: string, input?: unknown): HistoryEvent => ({
    eventType: 'TaskScheduled',
    eventId: id,
    timestamp: at(0),
    name,
    ...json(input),
  }),
  timerCreated: (id: number, fireAt: string): HistoryEvent => ({
    eventType: 'TimerCreated',
    eventId: id,
    timestamp: at(0),
    fireAt,
  }),
  subCreated: (id: number, name: string, instanceId: string, input?: unknown): HistoryEvent => ({
    eventType: 'SubOrchestrationInstanceCreated',
    eventId: id,
    timestamp: at(0),
    name,
    instanceId,
    ...json(input),
  }),
  orchestratorStarted: (time: string): HistoryEvent => ({
    eventType: 'OrchestratorStarted',
    eventId: -1,
    timestamp: time,
  }),
  orchestratorCompleted: (time: string): HistoryEvent => ({
    eventType: 'OrchestratorCompleted',
    eventId: -1,
    timestamp: time,
  }),
};

/** One recorded episode: OrchestratorStarted at `time`, the events, OrchestratorCompleted. */
export function episode(time: string, ...events: HistoryEvent[]): HistoryEvent[] {
  return [ev.orchestratorStarted(time), ...events, ev.orchestratorCompleted(time)];
}

export interface DriverOptions {
  readonly instanceId?: string;
  readonly name?: string;
  readonly parentInstanceId?: string;
  /** Check every episode against a fresh replay of the stored history (default true). */
  readonly checkReplay?: boolean;
}

/** Runs an orchestrator like the worker does, keeping the stored history. Episode k runs at at(k). */
export class Driver {
  readonly history: HistoryEvent[] = [];
  readonly results: EpisodeResult[] = [];
  readonly logs: string[] = [];
  readonly #handler: OrchestrationHandler;
  readonly #options: DriverOptions;
  readonly #live: OrchestrationExecutor;

  constructor(handler: OrchestrationHandler, options: DriverOptions = {}) {
    this.#handler = handler;
    this.#options = options;
    this.#live = this.#executor(this.logs);
  }

  #executor(logs: string[] | undefined): OrchestrationExecutor {
    return createOrchestrationExecutor(this.#handler, {
      instanceId: this.#options.instanceId ?? 'test-instance',
      name: this.#options.name ?? 'Test',
      ...(this.#options.parentInstanceId === undefined ? {} : { parentInstanceId: this.#options.parentInstanceId }),
      ...(logs ? { logSink: (level, message) => logs.push(`${level}: ${message}`) } : {}),
    });
  }

  /** Start with ExecutionStarted(input) as the first episode. */
  start(input?: unknown, extra: Parameters<typeof ev.started>[2] = {}): EpisodeResult {
    const instanceId = this.#options.instanceId ?? 'test-instance';
    return this.run(ev.started(this.#options.name ?? 'Test', input, { instanceId, ...extra }));
  }

  /** Run one episode with these new messages. */
  run(...events: HistoryEvent[]): EpisodeResult {
    return this.runAt(at(this.results.length), ...events);
  }

  runAt(now: string, ...events: HistoryEvent[]): EpisodeResult {
    const stored = [...this.history];
    const result = this.#live.execute(events, now);
    if (this.#options.checkReplay !== false) {
      const fresh = this.#executor(undefined);
      fresh.replay(stored);
      expect(fresh.historyLength).toBe(stored.length);
      expect(withoutStackFrames(fresh.execute(events, now))).toEqual(withoutStackFrames(result));
    }
    this.history.push(...result.newHistory);
    expect(this.#live.historyLength).toBe(this.history.length);
    this.results.push(result);
    return result;
  }

  get last(): EpisodeResult {
    const r = this.results.at(-1);
    if (!r) throw new Error('no episode yet');
    return r;
  }
}

/**
 * Stack traces of errors thrown by orchestrator code include the frames of whoever called execute(), which differ
 * between a live and a fresh executor in tests; the rest of the result must be identical.
 */
export function withoutStackFrames<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) => (key === 'stackTrace' && typeof v === 'string' ? v.split('\n')[0] : v)),
  ) as T;
}

/** The output of a completed episode, decoded. */
export function outputOf(result: EpisodeResult): unknown {
  expect(result.outcome.status).toBe('Completed');
  const output = result.outcome.status === 'Completed' ? result.outcome.output : undefined;
  return output === undefined ? undefined : JSON.parse(output);
}

/** Short description of actions for assertions, e.g. ["ScheduleTask#0 SayHello", "CreateTimer#1"]. */
export function describeActions(result: EpisodeResult): string[] {
  return result.actions.map((a) =>
    a.kind === 'CreateTimer' ? `CreateTimer#${a.sequenceId}` : `${a.kind}#${a.sequenceId} ${a.name}`,
  );
}
