// From a stored instance row to what getStatus returns (DurableOrchestrationStatus), and from that to the JSON the
// status API sends (reference part D). Pure.
import type { HistoryEvent } from '../core/history.js';
import type { InstanceRecord } from '../store/store.js';
import { renderHistory } from './history-view.js';
import { parseJsonText } from './json.js';
import type { DurableOrchestrationStatus, GetStatusOptions } from './types.js';
import type { WaitingFor } from './waiting-for.js';

/** Builds the status; `history` is the stored history when showHistory asked for it (not read for Pending instances). */
export function toOrchestrationStatus(
  record: InstanceRecord,
  options: GetStatusOptions = {},
  history?: readonly HistoryEvent[],
): DurableOrchestrationStatus {
  const showInput = options.showInput ?? true;
  const status: {
    -readonly [K in keyof DurableOrchestrationStatus]: DurableOrchestrationStatus[K];
  } = {
    name: record.name,
    instanceId: record.instanceId,
    createdTime: new Date(record.createdTime),
    lastUpdatedTime: new Date(record.lastUpdatedTime),
    input: showInput && record.input !== undefined ? parseJsonText(record.input) : null,
    output: outputOf(record),
    runtimeStatus: record.runtimeStatus,
    customStatus: record.customStatus !== undefined ? parseJsonText(record.customStatus) : null,
  };
  if (record.failureDetails) status.failureDetails = record.failureDetails;
  if (record.version !== undefined) status.version = record.version;
  if (history) {
    status.history = renderHistory(history, { showInput, showHistoryOutput: options.showHistoryOutput ?? false });
  }
  return status;
}

/**
 * Durable Functions shows a failed instance's output as the failure message text; the details stay reachable in
 * `failureDetails`. Completed shows the output, Terminated the reason; other statuses have none yet.
 */
function outputOf(record: InstanceRecord): unknown {
  if (record.runtimeStatus === 'Failed' && record.failureDetails) {
    const message = record.failureDetails.errorMessage;
    const prefix = `Orchestrator function '${record.name}' failed:`;
    // The worker may already have written Durable Functions' wording; never say it twice.
    return message.startsWith(prefix) ? message : `${prefix} ${message}`;
  }
  return record.output !== undefined ? parseJsonText(record.output) : null;
}

/** The status API's JSON shape (`StatusResponsePayload`): times at second precision, history as `historyEvents`. */
export interface StatusJson {
  readonly name: string;
  readonly instanceId: string;
  readonly runtimeStatus: string;
  readonly input: unknown;
  readonly customStatus: unknown;
  readonly output: unknown;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  /** The orchestration version, when the instance has one (Durable Task's OrchestrationState.Version). */
  readonly version?: string;
  readonly historyEvents?: readonly Record<string, unknown>[];
  /**
   * Taskhub extension, only with `showWaitingFor=true`: what a Running or Suspended instance waits for (timers with
   * their due time, activities and sub-orchestrations with their attempt, entity calls, locks); null otherwise.
   */
  readonly waitingFor?: WaitingFor | null;
}

export function toStatusJson(status: DurableOrchestrationStatus): StatusJson {
  const json: StatusJson = {
    name: status.name,
    instanceId: status.instanceId,
    runtimeStatus: status.runtimeStatus,
    input: status.input ?? null,
    customStatus: status.customStatus ?? null,
    output: status.output ?? null,
    createdTime: toSecondPrecision(status.createdTime),
    lastUpdatedTime: toSecondPrecision(status.lastUpdatedTime),
    ...(status.version === undefined ? {} : { version: status.version }),
  };
  return status.history ? { ...json, historyEvents: status.history } : json;
}

/** ISO 8601 UTC without milliseconds, as Durable Functions prints instance times: 2024-05-01T12:00:00Z. */
export function toSecondPrecision(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
