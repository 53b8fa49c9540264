// Runs one activity invocation and turns its outcome into the completion event the orchestrator will see.
// Activities run at least once: the idempotency key stays the same on every redelivery of one invocation.
import { BindingValues, warnUndeliveredOutput } from '../core/binding-values.js';
import type { ActivityContext } from '../core/context.js';
import { failureDetailsOf, jsonText } from '../core/failure.js';
import type { FailureDetails, HistoryEvent } from '../core/history.js';
import type { FunctionRegistry } from '../core/registry.js';
import { LogEvents, logExecuted, logExecuting, type Logger } from '../log.js';
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
  // The child logger is made when the activity first logs: most never do, and pino serialises the bindings at once.
  let log: Logger | undefined;
  const childLog = (): Logger =>
    (log ??= logger.child({ activity: registered.name, instanceId: item.instanceId, taskId: item.taskScheduledId }));
  const context = makeContext(item, registered.name, childLog, warnedOutputsOf(registry));
  const invocation = {
    functionName: registered.name,
    id: `${item.instanceId}:${item.taskScheduledId}`,
    instanceId: item.instanceId,
  };
  const startedAt = performance.now();
  logExecuting(logger, invocation, () => `Activity scheduled by ${item.instanceId}`);
  try {
    const input = item.input === undefined ? undefined : (JSON.parse(item.input) as unknown);
    const result = await registered.handler(input, context);
    const text = result === undefined ? undefined : JSON.stringify(result);
    logExecuted(logger, invocation, performance.now() - startedAt);
    return {
      eventType: 'TaskCompleted',
      eventId: -1,
      timestamp: new Date().toISOString(),
      taskScheduledId: item.taskScheduledId,
      ...(text === undefined ? {} : { result: text }),
    };
  } catch (err) {
    logExecuted(logger, invocation, performance.now() - startedAt, {
      err,
      message: err instanceof Error ? err.message : String(err),
    });
    return failed(item, err);
  }
}

/** The completion of a work item that ended its worker too often: it is not run again. */
export function quarantined(item: WorkItem, maxDeliveryCount: number): HistoryEvent {
  const error = new Error(
    `'${item.name}' ended its worker process ${item.deliveryCount} times without completing (a crash, ` +
      `process.exit, a kill or a recycle each time): quarantined after maxDeliveryCount (${maxDeliveryCount}) ` +
      'deliveries, it is not run again.',
  );
  error.name = 'PoisonMessageException';
  return failed(item, error, false);
}

/** The completion of an activity that ran past host.json functionTimeout (its code may still be running). */
export function timedOut(item: WorkItem, timeoutMs: number): HistoryEvent {
  const error = new Error(`Timeout value of ${timeSpan(timeoutMs)} was exceeded by function '${item.name}'.`);
  error.name = 'FunctionTimeoutException';
  return failed(item, error, false);
}

/** A duration as a .NET TimeSpan string (hh:mm:ss[.fff]), as host.json writes functionTimeout. */
function timeSpan(ms: number): string {
  const total = Math.floor(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const fraction = ms % 1000 === 0 ? '' : `.${String(ms % 1000).padStart(3, '0')}`;
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}${fraction}`;
}

function failed(item: WorkItem, err: unknown, withStack = true): HistoryEvent {
  // The runtime's own failures (quarantine, timeout) have no stack worth showing: it would be Taskhub's, not the app's.
  const failureDetails: FailureDetails =
    withStack || !(err instanceof Error) ? failureDetailsOf(err) : { errorType: err.name, errorMessage: err.message };
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

/** Undelivered output bindings already warned about, per worker (its registry view): one warning per binding. */
const warnedOutputs = new WeakMap<object, Set<string>>();
function warnedOutputsOf(registry: object): Set<string> {
  let warned = warnedOutputs.get(registry);
  if (!warned) warnedOutputs.set(registry, (warned = new Set()));
  return warned;
}

function makeContext(item: WorkItem, functionName: string, log: () => Logger, warned: Set<string>): ActivityContext {
  const write =
    (level: 'trace' | 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]): void => {
      log()[level](
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
    // durable-functions 3.x gives activities an InvocationContext: apps read and set their extra bindings here.
    extraInputs: new BindingValues(),
    extraOutputs: new BindingValues({
      onFirstSet: warnUndeliveredOutput(functionName, warned, (message, binding) =>
        log().warn({ event: LogEvents.outputNotDelivered, binding }, message),
      ),
    }),
    log: write('info'),
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}
