// Rewind of a failed instance served by SDK workers: done here, as Taskhub's own dispatcher does it (core
// rewindHistory), so the SDK only ever replays a history in which the failed tasks are pending again. The same
// commit as OrchestrationDispatcher's private rewind; the two could share one function in src/worker.
import { rewindHistory } from '../core/rewind.js';
import type { HistoryEvent } from '../core/history.js';
import type { EpisodeCommit, InstanceRecord, NewMessage } from '../store/store.js';
import { newExecutionId } from '../worker/episode-commit.js';

export function rewindCommit(
  instance: InstanceRecord,
  history: readonly HistoryEvent[],
  consumedMessageIds: readonly number[],
  now: string,
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
    // nothing is to run again (the orchestrator's own code failed), a message to itself makes the SDK replay it.
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
