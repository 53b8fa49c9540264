// Rewind of a failed instance (client.rewind, gRPC RewindInstance): one commit that replaces the history with core
// rewindHistory's (failures forgotten), sets the instance Running, and schedules what must run again: the failed
// activities, sub-orchestrations and unfired timers. When the orchestrator's own code failed there is nothing to
// run again, so a message to the instance itself makes its next episode replay the code. Used by Taskhub's own
// OrchestrationDispatcher and by the gRPC dispatcher (where the SDK replays the rewound history).
import { rewindHistory } from '../core/rewind.js';
import type { HistoryEvent } from '../core/history.js';
import type { EpisodeCommit, InstanceRecord, NewMessage } from '../store/store.js';
import { newExecutionId } from './episode-commit.js';

/** The rewind commit of `instance` (Failed) from its stored `history`, consuming the rewind message(s). */
export function rewindCommit(
  instance: InstanceRecord,
  history: readonly HistoryEvent[],
  consumedMessageIds: readonly number[],
  now: string,
  newInstanceVersion?: (name: string) => string | undefined,
): EpisodeCommit {
  const id = instance.instanceId;
  const { history: rewound, retry } = rewindHistory(history);
  const started = history.find((e) => e.eventType === 'ExecutionStarted');
  const parentName = started?.eventType === 'ExecutionStarted' ? started.name : instance.name;
  return {
    instanceId: id,
    executionId: instance.executionId,
    expectedHistoryLength: instance.historyLength,
    append: rewound,
    replaceHistory: true,
    runtimeStatus: 'Running',
    consumedMessageIds,
    completedWorkItems: [],
    keepLock: false,
    // Timers that never fired (their TimerFired was dropped while the instance was failed) are due again. When
    // nothing is to run again (the orchestrator's own code failed), a message to itself makes it replay.
    newMessages:
      retry.length === 0
        ? [wakeUp(id, instance.executionId, now)]
        : retry.flatMap((r) =>
            r.kind === 'timer'
              ? [
                  {
                    instanceId: id,
                    executionId: instance.executionId,
                    visibleAt: r.fireAt,
                    event: {
                      eventType: 'TimerFired' as const,
                      eventId: -1,
                      timestamp: now,
                      timerId: r.sequenceId,
                      fireAt: r.fireAt,
                    },
                  },
                ]
              : [],
          ),
    newWorkItems: retry.flatMap((r) =>
      r.kind === 'task'
        ? [{ taskScheduledId: r.sequenceId, name: r.name, ...(r.input === undefined ? {} : { input: r.input }) }]
        : [],
    ),
    newInstances: retry.flatMap((r) => {
      if (r.kind !== 'subOrchestration') return [];
      const executionId = newExecutionId();
      const input = r.input === undefined ? {} : { input: r.input };
      // As when it was first started: the version asked for, else the app's default for new instances.
      const version = r.version ?? newInstanceVersion?.(r.name);
      return [
        {
          instanceId: r.instanceId,
          executionId,
          name: r.name,
          ...input,
          parentInstanceId: id,
          createdTime: now,
          startEvent: {
            eventType: 'ExecutionStarted' as const,
            eventId: -1,
            timestamp: now,
            name: r.name,
            instanceId: r.instanceId,
            executionId,
            ...input,
            ...(version === undefined ? {} : { version }),
            parentInstance: {
              name: parentName,
              instanceId: id,
              executionId: instance.executionId,
              taskScheduledId: r.sequenceId,
            },
          },
        },
      ];
    }),
  };
}

function wakeUp(instanceId: string, executionId: string, now: string): NewMessage {
  return {
    instanceId,
    executionId,
    event: { eventType: 'GenericEvent', eventId: -1, timestamp: now, data: 'rewound' },
  };
}
