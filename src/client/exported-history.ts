// The file `taskhub export` writes, the dashboard downloads and `taskhub replay` / checkReplay read: one instance's
// name, input and raw stored history. `format` names its version so later readers can tell old files apart.
import type { HistoryEvent } from '../core/history.js';
import type { InstanceRecord } from '../store/store.js';

export interface ExportedHistory {
  readonly format: 'taskhub-history/1';
  readonly instanceId: string;
  readonly name: string;
  /** The execution's input, JSON text as stored. */
  readonly input?: string;
  readonly runtimeStatus: string;
  readonly executionId: string;
  /** ISO 8601 time of the export. */
  readonly exportedAt: string;
  readonly history: readonly HistoryEvent[];
}

export function toExportedHistory(instance: InstanceRecord, history: readonly HistoryEvent[]): ExportedHistory {
  return {
    format: 'taskhub-history/1',
    instanceId: instance.instanceId,
    name: instance.name,
    ...(instance.input === undefined ? {} : { input: instance.input }),
    runtimeStatus: instance.runtimeStatus,
    executionId: instance.executionId,
    exportedAt: new Date().toISOString(),
    history,
  };
}
