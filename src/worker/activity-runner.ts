// Runs one activity invocation and turns its outcome into the completion event the orchestrator will see.
// Activities run at least once: the idempotency key stays the same on every redelivery of one invocation.
import type { ActivityContext } from '../core/context.js';
import { failureDetailsOf, jsonText } from '../core/failure.js';
import type { HistoryEvent } from '../core/history.js';
import type { FunctionRegistry } from '../core/registry.js';
import { LogEvents, type Logger } from '../log.js';
import type { WorkItem } from '../store/store.js';

export function idempotencyKey(item: Pick<WorkItem, 'instanceId' | 'executionId' | 'taskScheduledId'>): string {
  return `${item.instanceId}:${item.executionId}:${item.taskScheduledId}`;
}

export async function runActivity(
  registry: Pick<FunctionRegistry, 'getActivity'>,
  item: WorkItem,
  logger: Logger,
): Promise<HistoryEvent> {
  const registered = registry.getActivity(item.name);
  if (!registered) {
    logger.warn({ event: LogEvents.activityUnknown, name: item.name, instanceId: item.instanceId }, 'unknown activity');
    return failed(item, new Error(`The activity function '${item.name}' is not registered in this app.`));
  }
  const log = logger.child({ activity: registered.name, instanceId: item.instanceId, taskId: item.taskScheduledId });
  const context = makeContext(item, registered.name, log);
  try {
    const input = item.input === undefined ? undefined : (JSON.parse(item.input) as unknown);
    const result = await registered.handler(input, context);
    const text = result === undefined ? undefined : JSON.stringify(result);
    return {
      eventType: 'TaskCompleted',
      eventId: -1,
      timestamp: new Date().toISOString(),
      taskScheduledId: item.taskScheduledId,
      ...(text === undefined ? {} : { result: text }),
    };
  } catch (err) {
    log.debug({ event: LogEvents.activityFailed, err }, 'activity failed');
    return failed(item, err);
  }
}

function failed(item: WorkItem, err: unknown): HistoryEvent {
  const failureDetails = failureDetailsOf(err);
  return {
    eventType: 'TaskFailed',
    eventId: -1,
    timestamp: new Date().toISOString(),
    taskScheduledId: item.taskScheduledId,
    reason: `Activity function '${item.name}' failed: ${failureDetails.errorMessage}`,
    ...(failureDetails.stackTrace === undefined ? {} : { details: failureDetails.stackTrace }),
    failureDetails,
  };
}

function makeContext(item: WorkItem, functionName: string, log: Logger): ActivityContext {
  const write =
    (level: 'trace' | 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]): void => {
      log[level](
        { event: LogEvents.activityLog },
        args.map((a) => (typeof a === 'string' ? a : jsonText(a))).join(' '),
      );
    };
  return {
    invocationId: `${idempotencyKey(item)}:${item.deliveryCount}`,
    functionName,
    instanceId: item.instanceId,
    taskScheduledId: item.taskScheduledId,
    idempotencyKey: idempotencyKey(item),
    deliveryCount: item.deliveryCount + 1,
    log: write('info'),
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}
