// The replay engine's contract: one episode in, history to append and actions out. Interface only; replay.ts implements it.
import type { CriticalSection } from './entity-lock.js';
import type { EventRaisedEvent, FailureDetails, HistoryEvent, RuntimeStatus } from './history.js';

/** Work an episode asks the runtime to do. Each carries the sequence id that its completion will name. */
export type OrchestratorAction =
  | {
      readonly kind: 'ScheduleTask';
      readonly sequenceId: number;
      readonly name: string;
      readonly input?: string;
      /** A retry policy's maxNumberOfAttempts, recorded on the event for "attempt 2 of 3". */
      readonly maxAttempts?: number;
    }
  | { readonly kind: 'CreateTimer'; readonly sequenceId: number; readonly fireAt: string }
  | {
      readonly kind: 'CreateSubOrchestration';
      readonly sequenceId: number;
      readonly name: string;
      readonly instanceId: string;
      readonly input?: string;
      /** The version asked for (callSubOrchestrator's version argument). */
      readonly version?: string;
      readonly maxAttempts?: number;
    }
  | {
      readonly kind: 'SendEvent';
      readonly sequenceId: number;
      readonly instanceId: string;
      readonly name: string;
      readonly input?: string;
    };

/** How the execution stands after an episode. */
export type EpisodeOutcome =
  | { readonly status: 'Running' | 'Suspended' }
  | { readonly status: 'Completed'; readonly output?: string }
  | { readonly status: 'Failed'; readonly failureDetails: FailureDetails }
  | { readonly status: 'Terminated'; readonly output?: string }
  | {
      readonly status: 'ContinuedAsNew';
      readonly input?: string;
      /** Unprocessed external events kept for the next execution (continueAsNew(input, true)). */
      readonly carryoverEvents: readonly EventRaisedEvent[];
    };

export interface EpisodeResult {
  /**
   * Events to append to the stored history, in order: OrchestratorStarted, the new events that were accepted
   * (duplicates and stale completions are dropped), the events recording new actions (TaskScheduled, TimerCreated ...),
   * ExecutionCompleted/ContinueAsNew when the execution ended, and OrchestratorCompleted.
   */
  readonly newHistory: readonly HistoryEvent[];
  /** New actions of this episode, in sequence order. */
  readonly actions: readonly OrchestratorAction[];
  /** JSON text of the custom status, or undefined if never set. Falsy values (0, "", false) are kept. */
  readonly customStatus: string | undefined;
  readonly outcome: EpisodeOutcome;
  /** The runtime status the instance has after this episode. */
  readonly runtimeStatus: RuntimeStatus;
  /** The critical section (lockEntities) still held or requested: the runtime releases it when the execution ends. */
  readonly criticalSection?: CriticalSection;
}
