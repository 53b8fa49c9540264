// Rewind of a failed instance (client.rewind, gRPC RewindInstance): one commit that replaces the history with core
// rewindHistory's (failures forgotten), sets the instance Running, and schedules what must run again: the failed
// activities, sub-orchestrations and unfired timers. When the orchestrator's own code failed there is nothing to
// run again, so a message to the instance itself makes its next episode replay the code. A sub-orchestration the
// history still awaits but that ended while the instance was Failed (its report was dropped then) is run again if it
// failed, was terminated or is gone, and hands over its output if it completed: the parent never waits for ever.
// Used by Taskhub's own OrchestrationDispatcher and by the gRPC dispatcher (where the SDK replays the history).
import { rewindHistory, type RewindWork } from '../core/rewind.js';
import { isTerminal, type HistoryEvent } from '../core/history.js';
import type { EpisodeCommit, InstanceRecord, NewMessage, Store } from '../store/store.js';
import { newExecutionId } from './episode-commit.js';

/** The rewind commit of `instance` (Failed) from its stored `history`, consuming the rewind message(s). */
export async function rewindCommit(
  store: Pick<Store, 'getInstance'>,
  instance: InstanceRecord,
  history: readonly HistoryEvent[],
  consumedMessageIds: readonly number[],
  now: string,
  newInstanceVersion?: (name: string) => string | undefined,
): Promise<EpisodeCommit> {
  const id = instance.instanceId;
  const { history: rewound, retry: failed, awaiting } = rewindHistory(history);
  const children = await Promise.all(awaiting.map((a) => store.getInstance(a.instanceId)));
  const retry: RewindWork[] = [...failed];
  const handedOver: NewMessage[] = [];
  awaiting.forEach((a, i) => {
    const child = children[i];
    const ours = child !== undefined && child.parentInstanceId === id;
    // Still running: it reports to this execution as before.
    if (ours && !isTerminal(child.runtimeStatus)) return;
    if (ours && child.runtimeStatus === 'Completed') {
      handedOver.push({
        instanceId: id,
        executionId: instance.executionId,
        event: {
          eventType: 'SubOrchestrationInstanceCompleted',
          eventId: -1,
          timestamp: now,
          taskScheduledId: a.sequenceId,
          ...(child.output === undefined ? {} : { result: child.output }),
        },
      });
      return;
    }
    retry.push({ kind: 'subOrchestration', ...a });
  });
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
      retry.length === 0 && handedOver.length === 0
        ? [wakeUp(id, instance.executionId, now)]
        : handedOver.concat(
            retry.flatMap((r) =>
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
