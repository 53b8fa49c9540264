// Durable Functions' rendering of a stored history for the status API (reference part D), so `showHistory=true` shows
// what an Azure user expects. Pure: stored events in, plain JSON-ready objects out.
import type { FailureDetails, HistoryEvent } from '../core/history.js';
import { parseJsonText } from './json.js';

export interface HistoryViewOptions {
  /** Include `Result` (parsed) on completions; Durable Functions leaves outputs out unless asked. */
  readonly showHistoryOutput?: boolean;
  /** Include `Input` (parsed); default true, as the status API's `showInput`. */
  readonly showInput?: boolean;
}

export type RenderedHistoryEvent = Record<string, unknown>;

/** The scheduling event a completion is merged with: TaskScheduled or SubOrchestrationInstanceCreated. */
interface Scheduled {
  readonly index: number;
  readonly name: string;
  readonly timestamp: string;
  readonly input: string | undefined;
}

/**
 * Renders a history as the status API does: event type names, no episode markers (OrchestratorStarted/Completed),
 * no EventId/IsPlayed, each scheduling event merged into the completion that names it (adding FunctionName,
 * ScheduledTime and, with showInput, Input), TaskScheduledId/TimerId dropped, PascalCase field names.
 */
export function renderHistory(
  events: readonly HistoryEvent[],
  options: HistoryViewOptions = {},
): RenderedHistoryEvent[] {
  const showInput = options.showInput ?? true;
  const showOutput = options.showHistoryOutput ?? false;
  // Keyed by the scheduling event's EventId. The stored history holds one execution (continue-as-new replaces it), so
  // sequence numbers are unique; a completion only merges with a scheduling event of its own kind.
  const tasks = new Map<number, Scheduled>();
  const orchestrations = new Map<number, Scheduled>();
  const merged = new Set<number>();
  const out: (RenderedHistoryEvent | undefined)[] = [];

  const input = (view: RenderedHistoryEvent, text: string | undefined): void => {
    if (showInput && text !== undefined) view.Input = parseJsonText(text);
  };
  const result = (view: RenderedHistoryEvent, text: string | undefined): void => {
    if (showOutput && text !== undefined) view.Result = parseJsonText(text);
  };
  const mergeScheduled = (view: RenderedHistoryEvent, scheduled: Scheduled | undefined): void => {
    if (!scheduled) return;
    merged.add(scheduled.index);
    view.FunctionName = scheduled.name;
    view.ScheduledTime = scheduled.timestamp;
    input(view, scheduled.input);
  };

  events.forEach((event, index) => {
    const view: RenderedHistoryEvent = { EventType: event.eventType, Timestamp: event.timestamp };
    switch (event.eventType) {
      case 'OrchestratorStarted':
      case 'OrchestratorCompleted':
        out.push(undefined);
        return;
      case 'ExecutionStarted':
        view.FunctionName = event.name;
        input(view, event.input);
        if (event.scheduledStartTime !== undefined) view.ScheduledStartTime = event.scheduledStartTime;
        break;
      case 'ExecutionCompleted':
        view.OrchestrationStatus = event.orchestrationStatus;
        result(view, event.result);
        if (event.failureDetails) view.FailureDetails = renderFailure(event.failureDetails);
        break;
      case 'ExecutionTerminated':
        input(view, event.input);
        break;
      case 'TaskScheduled':
        tasks.set(event.eventId, { index, name: event.name, timestamp: event.timestamp, input: event.input });
        view.Name = event.name;
        input(view, event.input);
        break;
      case 'TaskCompleted':
        mergeScheduled(view, tasks.get(event.taskScheduledId));
        result(view, event.result);
        break;
      case 'TaskFailed':
      case 'SubOrchestrationInstanceFailed': {
        const map = event.eventType === 'TaskFailed' ? tasks : orchestrations;
        mergeScheduled(view, map.get(event.taskScheduledId));
        view.Reason = event.reason;
        if (event.details !== undefined) view.Details = event.details;
        view.FailureDetails = renderFailure(event.failureDetails);
        break;
      }
      case 'SubOrchestrationInstanceCreated':
        orchestrations.set(event.eventId, { index, name: event.name, timestamp: event.timestamp, input: event.input });
        view.Name = event.name;
        view.InstanceId = event.instanceId;
        input(view, event.input);
        break;
      case 'SubOrchestrationInstanceCompleted':
        mergeScheduled(view, orchestrations.get(event.taskScheduledId));
        result(view, event.result);
        break;
      case 'TimerCreated':
      case 'TimerFired':
        view.FireAt = event.fireAt;
        break;
      case 'EventSent':
        view.InstanceId = event.instanceId;
        view.Name = event.name;
        input(view, event.input);
        break;
      case 'EventRaised':
        view.Name = event.name;
        input(view, event.input);
        break;
      case 'ContinueAsNew':
        result(view, event.result);
        break;
      case 'GenericEvent':
        if (event.data !== undefined) view.Data = event.data;
        break;
      case 'ExecutionSuspended':
      case 'ExecutionResumed':
      case 'ExecutionRewound':
        if (event.reason !== undefined) view.Reason = event.reason;
        break;
      default: {
        const unhandled: never = event;
        throw new Error(`Unhandled history event type: ${(unhandled as HistoryEvent).eventType}`);
      }
    }
    out.push(view);
  });

  // Scheduling events that found their completion disappear into it; unmatched ones (still running) stay.
  return out.filter((view, index): view is RenderedHistoryEvent => view !== undefined && !merged.has(index));
}

/** FailureDetails with Durable Functions' PascalCase names; `Details` stays the JSON text it was stored as. */
export function renderFailure(failure: FailureDetails): Record<string, unknown> {
  const view: Record<string, unknown> = { ErrorType: failure.errorType, ErrorMessage: failure.errorMessage };
  if (failure.stackTrace !== undefined) view.StackTrace = failure.stackTrace;
  if (failure.details !== undefined) view.Details = failure.details;
  if (failure.innerFailure) view.InnerFailure = renderFailure(failure.innerFailure);
  if (failure.isNonRetriable !== undefined) view.IsNonRetriable = failure.isNonRetriable;
  return view;
}
