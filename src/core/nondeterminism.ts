// Invariant 3: while replaying, every action the code takes is checked against the stored history by sequence id,
// kind and name. A mismatch fails the instance with a message that names both sides; it never continues silently.
import type { OrchestratorAction } from './episode.js';
import { TaskhubError } from './errors.js';
import type { HistoryEvent } from './history.js';

/** History events that record an orchestrator action. */
export type ScheduledEvent = Extract<
  HistoryEvent,
  { eventType: 'TaskScheduled' | 'TimerCreated' | 'SubOrchestrationInstanceCreated' | 'EventSent' }
>;

export const NON_DETERMINISTIC_ERROR_TYPE = 'NonDeterministicOrchestrationError';

/** The first divergence, side by side; stored as the failure's `details` (JSON) so status and CLI can show it. */
export interface Divergence {
  /** Sequence number of the durable call where code and history part. */
  readonly sequenceId: number;
  /** What the history recorded, e.g. "TaskScheduled #1 'Charge'". */
  readonly history: string;
  /** What the code does now, e.g. "calls activity 'Refund'" or "completed without scheduling anything". */
  readonly code: string;
  /** Where the code made the divergent call (file:line:column), when it made one. */
  readonly location?: string;
}

export class NonDeterministicOrchestrationError extends TaskhubError {
  readonly details: Divergence | undefined;
  constructor(message: string, details?: Divergence) {
    super('NON_DETERMINISTIC', message);
    this.name = NON_DETERMINISTIC_ERROR_TYPE;
    this.details = details;
  }
}

const ADVICE =
  ' Was the orchestrator code changed while this instance was running? Orchestrator code must make the same calls ' +
  'in the same order on every replay: deploy breaking changes under a new orchestration name, or let running ' +
  'instances finish first.';

/** True when the action is what the history event recorded (activity and orchestration names case-insensitive). */
export function sameAction(event: ScheduledEvent, action: OrchestratorAction): boolean {
  switch (event.eventType) {
    case 'TaskScheduled':
      return action.kind === 'ScheduleTask' && sameName(event.name, action.name);
    case 'TimerCreated':
      return action.kind === 'CreateTimer';
    case 'SubOrchestrationInstanceCreated':
      return action.kind === 'CreateSubOrchestration' && sameName(event.name, action.name);
    case 'EventSent':
      return action.kind === 'SendEvent' && event.name === action.name && event.instanceId === action.instanceId;
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled scheduled event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** "history has TaskScheduled #2 'Charge' but the code now calls activity 'Refund' at #2" */
export function mismatchError(
  event: ScheduledEvent,
  action: OrchestratorAction,
  location?: string,
): NonDeterministicOrchestrationError {
  const divergence: Divergence = {
    sequenceId: action.sequenceId,
    history: describeEvent(event),
    code: describeAction(action),
    ...(location === undefined ? {} : { location }),
  };
  return new NonDeterministicOrchestrationError(
    `Non-deterministic workflow detected: history has ${describeEvent(event)} but the code now ` +
      `${describeAction(action)} at #${action.sequenceId}.${ADVICE}${sideBySide(divergence)}`,
    divergence,
  );
}

/** The code reached a point (blocked, returned, failed) without taking an action the history recorded. */
export function missingError(event: ScheduledEvent, codeState: string): NonDeterministicOrchestrationError {
  const divergence: Divergence = {
    sequenceId: event.eventId,
    history: describeEvent(event),
    code: `${codeState} without scheduling anything`,
  };
  return new NonDeterministicOrchestrationError(
    `Non-deterministic workflow detected: history has ${describeEvent(event)} but the code now ${codeState} ` +
      `without scheduling anything at #${event.eventId}.${ADVICE}${sideBySide(divergence)}`,
    divergence,
  );
}

function sideBySide(d: Divergence): string {
  return `\n  history: ${d.history}\n  code:    ${d.code}${d.location === undefined ? '' : ` (${d.location})`}`;
}

/** This folder, as stack frames spell it (a file URL under ESM loaders, a plain path under others). */
const CORE_DIR = decodeURIComponent(new URL('.', import.meta.url).pathname);

/**
 * The orchestrator's own frame in a stack captured inside a durable call (callActivity ...): the first frame outside
 * src/core, as file:line:column. Formatting the stack is the costly part, and it only happens for a divergence.
 */
export function callSiteOf(site: Error): string | undefined {
  for (const line of (site.stack ?? '').split('\n').slice(1)) {
    const match = /\(?((?:file:\/\/)?[^()\s]+:\d+:\d+)\)?\s*$/.exec(line);
    if (!match?.[1] || match[1].startsWith('node:')) continue;
    const location = safeDecode(match[1].replace(/^file:\/\//, ''));
    if (!location.startsWith(CORE_DIR)) return location;
  }
  return undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function describeEvent(event: ScheduledEvent): string {
  switch (event.eventType) {
    case 'TaskScheduled':
    case 'SubOrchestrationInstanceCreated':
      return `${event.eventType} #${event.eventId} '${event.name}'`;
    case 'TimerCreated':
      return `TimerCreated #${event.eventId} (fires at ${event.fireAt})`;
    case 'EventSent':
      return `EventSent #${event.eventId} '${event.name}' to '${event.instanceId}'`;
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled scheduled event ${JSON.stringify(unhandled)}`);
    }
  }
}

export function describeAction(action: OrchestratorAction): string {
  switch (action.kind) {
    case 'ScheduleTask':
      return `calls activity '${action.name}'`;
    case 'CreateTimer':
      return `creates a timer (fires at ${action.fireAt})`;
    case 'CreateSubOrchestration':
      return `calls sub-orchestration '${action.name}'`;
    case 'SendEvent':
      return `sends event '${action.name}' to '${action.instanceId}'`;
    default: {
      const unhandled: never = action;
      throw new Error(`unhandled action ${JSON.stringify(unhandled)}`);
    }
  }
}

function sameName(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}
