// The replay engine: runs an orchestrator (a generator, or an async function) against its history, one episode at a
// time. A pure function of (orchestrator code, stored history, new events): no clock, I/O or randomness (invariant 4).
// A live executor fed only new events and a fresh one that replays the stored history first give identical episodes,
// which is what lets the worker cache running orchestrators between episodes. Generators run synchronously; async code
// makes replay and execute return promises, since it runs on in microtasks (code-runner.ts).
import { CodeRunner, nonDurableAwaitError, type Outcome } from './code-runner.js';
import type { AnyOrchestrationHandler, AsyncOrchestrationHandler, LogSink, OrchestrationHandler } from './context.js';
import type { EpisodeOutcome, EpisodeResult, OrchestratorAction } from './episode.js';
import { TaskhubError } from './errors.js';
import { ExternalEvents } from './external-events.js';
import { failureDetailsOf, TaskFailedError, toJson } from './failure.js';
import type { EventRaisedEvent, ExecutionStartedEvent, HistoryEvent, RuntimeStatus } from './history.js';
import { callSiteOf, missingError, mismatchError, sameAction, type ScheduledEvent } from './nondeterminism.js';
import {
  callSites,
  createOrchestrationContext,
  DurableContextImpl,
  type ContextEngine,
} from './orchestration-context.js';
import {
  actionEvent,
  completionKindOf,
  endEvent,
  isMessage,
  MESSAGE_TYPES,
  recordedKind,
  type CompletionEvent,
  type CompletionKind,
} from './replay-events.js';
import { ActionTask, parseJson, TimerTaskImpl, type EventTask, type TaskBase } from './task.js';

/** History events that record an action the code took, numbered by its sequence id. */
const RECORDED_ACTIONS: ReadonlySet<HistoryEvent['eventType']> = new Set([
  'TaskScheduled',
  'TimerCreated',
  'SubOrchestrationInstanceCreated',
  'EventSent',
]);

/** An episode in progress: the history it appends, and events raised after the execution ended in it. */
interface Episode {
  readonly history: HistoryEvent[];
  readonly lateEvents: EventRaisedEvent[];
}

export interface OrchestrationExecutorOptions {
  readonly instanceId: string;
  /** The orchestration's registered name (functionName of the context). */
  readonly name: string;
  readonly parentInstanceId?: string;
  /** Receives the orchestrator's replay-safe log messages. */
  readonly logSink?: LogSink;
  /** Capture the stack of every durable call (set only on the second replay that locates a divergence). */
  readonly captureCallSites?: boolean;
  /** callHttp: wait between polls of a 202 answer without Retry-After (default 30 s, as Durable Functions). */
  readonly httpPollingIntervalMs?: number;
}

/**
 * Runs one orchestration execution. For a generator orchestrator every call is synchronous (OrchestrationExecutor);
 * for an async one replay and execute return promises (AsyncOrchestrationExecutor), since its code runs in
 * microtasks. Code that runs either kind awaits what they return.
 */
export interface AnyOrchestrationExecutor {
  /** History events consumed so far (replayed plus appended by execute). */
  readonly historyLength: number;
  /** True for an async orchestrator: replay and execute return promises. */
  readonly isAsync: boolean;
  /** Feed stored past events (from the start of the execution's history). */
  replay(history: readonly HistoryEvent[]): void | Promise<void>;
  /**
   * Run one episode: deliver new messages, let the code run until it blocks or ends, and return what to append to the
   * history and the new actions. `now` (ISO time) becomes the episode's OrchestratorStarted timestamp and the code's
   * currentUtcDateTime.
   */
  execute(newEvents: readonly HistoryEvent[], now: string): EpisodeResult | Promise<EpisodeResult>;
}

/** The executor of a generator orchestrator: nothing to await. */
export interface OrchestrationExecutor extends AnyOrchestrationExecutor {
  replay(history: readonly HistoryEvent[]): void;
  execute(newEvents: readonly HistoryEvent[], now: string): EpisodeResult;
}

/** The executor of an async orchestrator. */
export interface AsyncOrchestrationExecutor extends AnyOrchestrationExecutor {
  replay(history: readonly HistoryEvent[]): Promise<void>;
  execute(newEvents: readonly HistoryEvent[], now: string): Promise<EpisodeResult>;
}

export function createOrchestrationExecutor(
  handler: OrchestrationHandler,
  options: OrchestrationExecutorOptions,
): OrchestrationExecutor;
export function createOrchestrationExecutor(
  handler: AsyncOrchestrationHandler,
  options: OrchestrationExecutorOptions,
): AsyncOrchestrationExecutor;
export function createOrchestrationExecutor(
  handler: AnyOrchestrationHandler,
  options: OrchestrationExecutorOptions,
): AnyOrchestrationExecutor;
export function createOrchestrationExecutor(
  handler: AnyOrchestrationHandler,
  options: OrchestrationExecutorOptions,
): AnyOrchestrationExecutor {
  return new Executor(handler, options);
}

class Executor implements AnyOrchestrationExecutor, ContextEngine {
  readonly #options: OrchestrationExecutorOptions;
  readonly #handler: AnyOrchestrationHandler;
  /** Capture the stack of every durable call: for the replay that locates a divergence, and for async code. */
  readonly captureCallSites: boolean;
  /** Keep every call site by sequence id (the replay that locates a divergence only). */
  readonly #keepSites: boolean;
  /** Call sites by sequence id (#keepSites only). */
  readonly #sites = new Map<number, Error>();
  /** Where async code made its last scheduled durable call: named when it then awaits something else. */
  #lastSite: Error | undefined;
  readonly #df: DurableContextImpl;
  isReplaying = true;
  #nowMs = 0;
  #historyLength = 0;
  readonly #runner: CodeRunner;
  #started = false;
  #nextSequenceId = 0;
  /** Scheduled tasks waiting for their completion, by sequence id. */
  readonly #open = new Map<number, ActionTask>();
  /** Actions the code took that the history does not record yet, in sequence order. */
  readonly #pending = new Map<number, OrchestratorAction>();
  /** Sequence ids of one-way sends (signalEntity, lock release): they go out even if the code then fails. */
  readonly #oneWay = new Set<number>();
  /** Actions recorded in history whose completion has not been seen: the completions that may still be accepted. */
  readonly #scheduled = new Map<number, CompletionKind>();
  readonly #events = new ExternalEvents();
  #suspended = false;
  /** Messages received while suspended, delivered in order on resume. */
  #held: HistoryEvent[] = [];
  #outcome: Outcome | undefined;
  /** True once the history records the end of the execution: nothing more runs. */
  #ended = false;
  #nonDeterministic = false;
  /** The stored history being replayed, and the position in it (only during replay). */
  #stored: readonly HistoryEvent[] | undefined;
  #storedIndex = 0;

  constructor(handler: AnyOrchestrationHandler, options: OrchestrationExecutorOptions) {
    this.#options = options;
    this.#handler = handler;
    this.#keepSites = options.captureCallSites === true;
    this.#df = new DurableContextImpl(this, options.instanceId, options.parentInstanceId);
    if (options.httpPollingIntervalMs !== undefined) this.#df.httpPollingIntervalMs = options.httpPollingIntervalMs;
    this.#runner = new CodeRunner({
      handler,
      context: createOrchestrationContext(this.#df, options.name, () => this.isReplaying, options.logSink),
      df: this.#df,
      name: options.name,
      track: (task) => this.track(task),
      finish: (outcome) => this.#finish(outcome),
      unprocessedEvents: () => this.#events.unprocessed(),
      stuck: () => this.#stuckError(),
    });
    // One stack per durable call of async code (a microsecond): a non-durable await can then be placed after it.
    this.captureCallSites = this.#keepSites || this.#runner.isAsync;
  }

  get isAsync(): boolean {
    return this.#runner.isAsync;
  }

  get historyLength(): number {
    return this.#historyLength;
  }

  replay(history: readonly HistoryEvent[]): void | Promise<void> {
    if (this.#runner.isAsync) return this.#replayAsync(history);
    this.#replaySync(history);
  }

  #replaySync(history: readonly HistoryEvent[]): void {
    const fromStart = this.#beginReplay(history);
    for (this.#storedIndex = 0; this.#storedIndex < history.length; this.#storedIndex++) {
      this.#apply(history[this.#storedIndex] as HistoryEvent);
    }
    const probe = this.#endReplay(history, fromStart);
    if (probe) {
      probe.#replaySync(history);
      this.#probed(probe);
    }
  }

  /** The async path of replay: the code runs on (drains) after every delivery that woke it, as it did live. */
  async #replayAsync(history: readonly HistoryEvent[]): Promise<void> {
    const fromStart = this.#beginReplay(history);
    const runner = this.#runner;
    runner.inEpisode = true;
    try {
      for (this.#storedIndex = 0; this.#storedIndex < history.length; this.#storedIndex++) {
        this.#apply(history[this.#storedIndex] as HistoryEvent);
        if (this.#unsettled()) await this.#settleAsync();
      }
    } finally {
      runner.inEpisode = false;
    }
    const probe = this.#endReplay(history, fromStart);
    if (probe) {
      await probe.replay(history);
      this.#probed(probe);
    }
  }

  #beginReplay(history: readonly HistoryEvent[]): boolean {
    const fromStart = this.#historyLength === 0;
    this.isReplaying = true;
    this.#stored = history;
    return fromStart;
  }

  /** Ends a replay; returns the executor that replays again to locate a divergence, when one is needed. */
  #endReplay(history: readonly HistoryEvent[], fromStart: boolean): Executor | undefined {
    this.#stored = undefined;
    this.#historyLength += history.length;
    // Stacks cost microseconds per call, so they are captured only by a second replay once a divergence is known:
    // replays that match pay nothing. Replay is deterministic, so the second one diverges at the same call.
    if (this.#nonDeterministic && fromStart && !this.#keepSites) {
      return new Executor(this.#handler, { ...this.#options, captureCallSites: true });
    }
    return undefined;
  }

  #probed(probe: Executor): void {
    if (probe.#nonDeterministic && probe.#outcome) this.#outcome = probe.#outcome;
  }

  execute(newEvents: readonly HistoryEvent[], now: string): EpisodeResult | Promise<EpisodeResult> {
    if (this.#runner.isAsync) return this.#executeAsync(newEvents, now);
    const episode = this.#beginEpisode(now);
    if (!episode) return this.#result([], []);
    for (const event of newEvents) this.#receive(event, episode);
    return this.#endEpisode(episode, now);
  }

  async #executeAsync(newEvents: readonly HistoryEvent[], now: string): Promise<EpisodeResult> {
    const episode = this.#beginEpisode(now);
    if (!episode) return this.#result([], []);
    const runner = this.#runner;
    runner.inEpisode = true;
    try {
      for (const event of newEvents) {
        this.#receive(event, episode);
        if (this.#unsettled()) await this.#settleAsync();
      }
    } finally {
      runner.inEpisode = false;
    }
    return this.#endEpisode(episode, now);
  }

  /** Starts an episode; undefined when the execution has ended (nothing more runs). */
  #beginEpisode(now: string): Episode | undefined {
    const nowMs = Date.parse(now);
    if (Number.isNaN(nowMs)) throw new TaskhubError('INVALID_ARGUMENT', `execute: '${now}' is not an ISO time.`);
    if (this.#ended) return undefined;
    this.isReplaying = false;
    this.#advanceTime(nowMs);
    return { history: [{ eventType: 'OrchestratorStarted', eventId: -1, timestamp: now }], lateEvents: [] };
  }

  /** Delivers one new message of the episode. */
  #receive(event: HistoryEvent, episode: Episode): void {
    if (!isMessage(event)) {
      throw new TaskhubError(
        'INVALID_ARGUMENT',
        `execute: '${event.eventType}' is not a message an instance receives (expected one of ${MESSAGE_TYPES.join(', ')}).`,
      );
    }
    // After the execution ended in this batch, the rest is not delivered (events may move to the next execution);
    // a terminate still is: it wins over an end the code reached in the same episode (#apply).
    if (this.#outcome && event.eventType !== 'ExecutionTerminated') {
      if (event.eventType === 'EventRaised') episode.lateEvents.push(event);
      return;
    }
    if (this.#apply(event)) episode.history.push(event);
  }

  #endEpisode({ history, lateEvents }: Episode, now: string): EpisodeResult {
    const actions: OrchestratorAction[] = [];
    const outcome = this.#outcome;
    // A terminated execution sends nothing more; what a failed one still sends, #finish kept in #pending.
    if (outcome?.status !== 'Terminated') {
      for (const action of this.#pending.values()) {
        actions.push(action);
        history.push(actionEvent(action, now));
        if (action.kind !== 'SendEvent') this.#scheduled.set(action.sequenceId, completionKindOf(action.kind));
      }
    }
    this.#pending.clear();
    if (outcome) {
      const preserve = this.#df.continueAsNewRequest?.preserveUnprocessedEvents === true;
      if (outcome.status === 'ContinuedAsNew' && preserve && lateEvents.length > 0) {
        this.#outcome = { ...outcome, carryoverEvents: [...outcome.carryoverEvents, ...lateEvents] };
      }
      history.push(endEvent(outcome, now));
      this.#ended = true;
    }
    history.push({ eventType: 'OrchestratorCompleted', eventId: -1, timestamp: now });
    this.#historyLength += history.length;
    return this.#result(history, actions);
  }

  // ---- ContextEngine: what tasks and the context ask of the engine ----

  nowMs(): number {
    return this.#nowMs;
  }

  recordsFinalRetryTimer(): boolean {
    const stored = this.#stored;
    if (!stored) return true;
    // The timer would be the next action; the episode being replayed recorded what took that sequence id.
    for (let i = this.#storedIndex + 1; i < stored.length; i++) {
      const event = stored[i] as HistoryEvent;
      if (event.eventType === 'OrchestratorCompleted') break;
      if (RECORDED_ACTIONS.has(event.eventType) && event.eventId === this.#nextSequenceId) {
        return event.eventType === 'TimerCreated';
      }
    }
    return false;
  }

  track(task: TaskBase): void {
    if (task.tracked) return;
    task.tracked = true;
    task.onTrack(this);
  }

  scheduleNow(task: ActionTask): void {
    this.track(task);
    if (task.sequenceId !== undefined) this.#oneWay.add(task.sequenceId);
  }

  schedule(task: ActionTask): void {
    // Actions after continueAsNew (or after the end) are dropped, as in durable-functions.
    if (this.#df.continueAsNewRequest || this.#outcome) return;
    const sequenceId = this.#nextSequenceId++;
    task.sequenceId = sequenceId;
    const spec = task.spec;
    let action: OrchestratorAction;
    switch (spec.kind) {
      case 'ScheduleTask':
      case 'SendEvent':
        action = { ...spec, sequenceId };
        break;
      case 'CreateTimer':
        action = { kind: 'CreateTimer', sequenceId, fireAt: spec.fireAt };
        break;
      case 'CreateSubOrchestration':
        action = { ...spec, sequenceId, instanceId: spec.instanceId ?? `${this.#options.instanceId}:${sequenceId}` };
        break;
      default: {
        const unhandled: never = spec;
        throw new Error(`unhandled action ${JSON.stringify(unhandled)}`);
      }
    }
    if (spec.kind !== 'SendEvent') this.#open.set(sequenceId, task);
    this.#pending.set(sequenceId, action);
    const site = this.captureCallSites ? callSites.get(task) : undefined;
    if (site) {
      this.#lastSite = site;
      if (this.#keepSites) this.#sites.set(sequenceId, site);
    }
  }

  waitForEvent(task: EventTask): void {
    this.#events.wait(task);
  }

  // ---- history and messages ----

  /** Applies one event (stored or new); false when a new message is a duplicate or stale and must not be stored. */
  #apply(event: HistoryEvent): boolean {
    switch (event.eventType) {
      case 'OrchestratorStarted':
        this.#advanceTime(Date.parse(event.timestamp));
        return true;
      case 'OrchestratorCompleted':
      case 'GenericEvent':
      case 'ExecutionRewound':
        return true;
      case 'ExecutionStarted':
        if (this.#started) return false;
        this.#started = true;
        this.#deliverOrHold(event);
        return true;
      case 'TaskCompleted':
      case 'TaskFailed':
        return this.#acceptCompletion(event, event.taskScheduledId, 'task');
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed':
        return this.#acceptCompletion(event, event.taskScheduledId, 'subOrchestration');
      case 'TimerFired':
        return this.#acceptCompletion(event, event.timerId, 'timer');
      case 'EventRaised':
        this.#deliverOrHold(event);
        return true;
      case 'ExecutionTerminated':
        // As in Durable Functions, the code's own end counts once its episode is over: a terminate among the episode's
        // messages wins over it (a Pending instance terminated before its first episode ends Terminated, even when its
        // code would finish at once). Replay applies the same rule, so the recorded history replays to Terminated.
        if (this.#ended || this.#outcome?.status === 'Terminated') return false;
        this.#finish({ status: 'Terminated', ...(event.input === undefined ? {} : { output: event.input }) });
        return true;
      case 'ExecutionSuspended':
        this.#suspended = true;
        return true;
      case 'ExecutionResumed':
        this.#resumeExecution();
        return true;
      case 'TaskScheduled':
      case 'TimerCreated':
      case 'SubOrchestrationInstanceCreated':
      case 'EventSent':
        this.#matchRecordedAction(event);
        return true;
      case 'ExecutionCompleted':
      case 'ContinueAsNew':
        this.#recordedEnd(event);
        return true;
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled history event ${JSON.stringify(unhandled)}`);
      }
    }
  }

  /** Invariant 2: a completion is accepted once, and only for an action the history records, of the same kind. */
  #acceptCompletion(event: CompletionEvent, id: number, kind: CompletionKind): boolean {
    if (this.#scheduled.get(id) !== kind) return false;
    this.#scheduled.delete(id);
    this.#deliverOrHold(event);
    return true;
  }

  #deliverOrHold(event: ExecutionStartedEvent | CompletionEvent | EventRaisedEvent): void {
    if (this.#suspended) this.#held.push(event);
    else this.#deliver(event);
  }

  #deliver(event: HistoryEvent): void {
    if (this.#outcome) return;
    switch (event.eventType) {
      case 'ExecutionStarted':
        this.#df.input = parseJson(event.input);
        this.#df.version = event.version === '' ? undefined : event.version;
        // Events carried over by continueAsNew come first, before anything raised to this execution.
        for (const carried of event.carryoverEvents ?? []) this.#events.raise(carried);
        this.#runner.start();
        break;
      case 'TaskCompleted':
      case 'SubOrchestrationInstanceCompleted':
        this.#takeOpen(event.taskScheduledId)?.complete(parseJson(event.result));
        break;
      case 'TaskFailed':
      case 'SubOrchestrationInstanceFailed':
        this.#takeOpen(event.taskScheduledId)?.fail(new TaskFailedError(event.reason, event.failureDetails));
        break;
      case 'TimerFired': {
        const timer = this.#takeOpen(event.timerId);
        // A cancelled timer's firing is accepted (it is a real message) and ignored.
        if (timer && !(timer instanceof TimerTaskImpl && timer.isCanceled)) timer.complete(undefined);
        break;
      }
      case 'EventRaised':
        this.#events.raise(event);
        break;
      default:
        // Only the message kinds above are ever held or delivered.
        return;
    }
    this.#runner.resume();
  }

  #takeOpen(id: number): ActionTask | undefined {
    const task = this.#open.get(id);
    this.#open.delete(id);
    return task;
  }

  #resumeExecution(): void {
    if (!this.#suspended) return;
    this.#suspended = false;
    // Async code runs on after each delivery: the async loops deliver the held messages one by one (#deliverHeld).
    if (this.#runner.isAsync) return;
    const held = this.#held;
    this.#held = [];
    for (const event of held) this.#deliver(event);
  }

  /** Async code may run on, or messages held while suspended wait for delivery. */
  #unsettled(): boolean {
    return this.#runner.woken || (!this.#suspended && this.#held.length > 0);
  }

  /** After an event was applied: async code runs on, and messages held while suspended are delivered one by one. */
  async #settleAsync(): Promise<void> {
    const runner = this.#runner;
    if (runner.woken) await runner.drain();
    while (!this.#suspended && this.#held.length > 0) {
      this.#deliver(this.#held.shift() as HistoryEvent);
      if (runner.woken) await runner.drain();
    }
  }

  #matchRecordedAction(event: ScheduledEvent): void {
    const id = event.eventId;
    const kind = recordedKind(event);
    if (kind) this.#scheduled.set(id, kind);
    if (this.#nonDeterministic) return;
    // By the time history records action #n, the original run had taken it: every event it had seen before is
    // replayed already. So a missing or different action here means the code has diverged, definitively.
    const action = this.#pending.get(id);
    if (!action) return this.#nonDeterminism(missingError(event, this.#codeState()));
    if (!sameAction(event, action)) {
      const site = this.#sites.get(id);
      return this.#nonDeterminism(mismatchError(event, action, site && callSiteOf(site)));
    }
    this.#pending.delete(id);
  }

  #nonDeterminism(error: Error): void {
    this.#nonDeterministic = true;
    this.#finish({ status: 'Failed', failureDetails: failureDetailsOf(error) });
  }

  /** Async code ended up waiting on nothing durable: no history event can ever resume it. */
  #stuckError(): Error {
    const site = this.#lastSite && callSiteOf(this.#lastSite);
    return nonDurableAwaitError(this.#options.name, site ?? (this.#nextSequenceId === 0 ? 'start' : undefined));
  }

  #codeState(): string {
    const outcome = this.#outcome;
    if (!this.#started) return 'has not started';
    if (!outcome) return 'waits for other work';
    switch (outcome.status) {
      case 'Completed':
        return 'completed';
      case 'Failed':
        return `failed ('${outcome.failureDetails.errorMessage}')`;
      case 'Terminated':
        return 'was terminated';
      case 'ContinuedAsNew':
        return 'continued as new';
      default: {
        const unhandled: never = outcome;
        throw new Error(`unhandled outcome ${JSON.stringify(unhandled)}`);
      }
    }
  }

  #recordedEnd(event: Extract<HistoryEvent, { eventType: 'ExecutionCompleted' | 'ContinueAsNew' }>): void {
    this.#ended = true;
    // The code's own outcome wins (a recorded history that replays must end the same way); the record only fills in
    // when the code did not end, e.g. the runtime failed an instance whose orchestrator is not registered.
    if (this.#outcome) return;
    if (event.eventType === 'ContinueAsNew') {
      this.#outcome = {
        status: 'ContinuedAsNew',
        ...(event.result === undefined ? {} : { input: event.result }),
        carryoverEvents: [],
      };
    } else if (event.orchestrationStatus === 'Failed') {
      this.#outcome = {
        status: 'Failed',
        failureDetails: event.failureDetails ?? { errorType: 'Error', errorMessage: 'The orchestration failed.' },
      };
    } else {
      this.#outcome = {
        status: event.orchestrationStatus,
        ...(event.result === undefined ? {} : { output: event.result }),
      };
    }
  }

  #finish(outcome: Outcome): void {
    this.#outcome = outcome;
    this.#runner.stop();
    // A terminated or failed execution starts no new work; a completing one keeps its last actions. Signals sent
    // before the code threw still go out, as in Durable Functions (not when the code diverged from its history).
    if (outcome.status === 'Terminated' || outcome.status === 'Failed') {
      for (const id of this.#pending.keys()) {
        if (outcome.status === 'Terminated' || this.#nonDeterministic || !this.#oneWay.has(id))
          this.#pending.delete(id);
      }
    }
  }

  #advanceTime(ms: number): void {
    if (ms > this.#nowMs) this.#nowMs = ms;
  }

  #result(newHistory: readonly HistoryEvent[], actions: readonly OrchestratorAction[]): EpisodeResult {
    const outcome: EpisodeOutcome = this.#outcome ?? { status: this.#suspended ? 'Suspended' : 'Running' };
    let runtimeStatus: RuntimeStatus = outcome.status;
    if (outcome.status === 'Running' && !this.#started) runtimeStatus = 'Pending';
    return {
      newHistory,
      actions,
      customStatus: this.#df.customStatusSet ? toJson(this.#df.customStatus) : undefined,
      outcome,
      runtimeStatus,
      ...(this.#df.criticalSection ? { criticalSection: this.#df.criticalSection } : {}),
    };
  }
}
