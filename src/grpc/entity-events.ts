// Entity calls and signals from SDK orchestrators. Taskhub's history has no entity event types, so the SDK's
// EntityOperationCalled / EntityOperationSignaled actions are recorded as a GenericEvent carrying the proto event
// (with the action's sequence id, so the SDK's replay finds them), and sent as Taskhub's own entity request messages;
// the response an entity sends back (an EventRaised named by the request id) is shown to the SDK as the
// EntityOperationCompleted / EntityOperationFailed event it waits for.
import { ENTITY_REQUEST_EVENT, type EntityRequest, type EntityResponse } from '../core/entity-state.js';
import type { GenericEvent, HistoryEvent } from '../core/history.js';
import type { NewMessage } from '../store/store.js';
import { fromTimestamp, str, toTimestamp, unwrap } from './convert.js';
import type * as pb from './proto-types.js';

const MARKER = 'taskhub.grpc.entity';

interface RecordedEntityAction {
  readonly [MARKER]: 'called' | 'signaled';
  readonly requestId: string;
  readonly operation: string;
  readonly target: string;
  readonly input?: string;
  readonly scheduledTime?: string;
}

export interface EntityActionRecord {
  readonly historyEvent: GenericEvent;
  readonly message: NewMessage;
}

/** The history event and the request message of one SendEntityMessage action; undefined for locks (unsupported). */
export function entityAction(
  id: number,
  action: NonNullable<pb.OrchestratorAction['sendEntityMessage']>,
  instanceId: string,
  now: string,
): EntityActionRecord | undefined {
  const called = action.entityOperationCalled;
  const signaled = action.entityOperationSignaled;
  const e = called ?? signaled;
  if (!e) return undefined;
  const target = unwrap(e.targetInstanceId) ?? '';
  const input = unwrap(e.input);
  const scheduledTime = fromTimestamp(e.scheduledTime);
  const recorded: RecordedEntityAction = {
    [MARKER]: called ? 'called' : 'signaled',
    requestId: e.requestId,
    operation: e.operation,
    target,
    ...(input === undefined ? {} : { input }),
    ...(scheduledTime === undefined ? {} : { scheduledTime }),
  };
  const request: EntityRequest = {
    id: e.requestId,
    op: e.operation,
    parent: instanceId,
    ...(called ? {} : { signal: true }),
    ...(input === undefined ? {} : { input }),
  };
  return {
    historyEvent: { eventType: 'GenericEvent', eventId: id, timestamp: now, data: JSON.stringify(recorded) },
    message: {
      instanceId: target,
      event: {
        eventType: 'EventRaised',
        eventId: -1,
        timestamp: now,
        name: ENTITY_REQUEST_EVENT,
        input: JSON.stringify(request),
      },
      ...(scheduledTime === undefined ? {} : { visibleAt: scheduledTime }),
    },
  };
}

/** The request ids of entity calls recorded in a history: their responses are shown to the SDK as entity events. */
export function calledRequestIds(history: readonly HistoryEvent[]): Set<string> {
  const ids = new Set<string>();
  for (const e of history) {
    const recorded = recordedAction(e);
    if (recorded?.[MARKER] === 'called') ids.add(recorded.requestId);
  }
  return ids;
}

/** A recorded entity action or an entity's response as the SDK's proto event; undefined for anything else. */
export function entityPbEvent(e: HistoryEvent, calls: ReadonlySet<string>): pb.HistoryEvent | undefined {
  const base = { eventId: e.eventId, timestamp: toTimestamp(e.timestamp) };
  const recorded = recordedAction(e);
  if (recorded) {
    const common = {
      requestId: recorded.requestId,
      operation: recorded.operation,
      input: str(recorded.input),
      targetInstanceId: str(recorded.target),
      scheduledTime: recorded.scheduledTime ? toTimestamp(recorded.scheduledTime) : null,
    };
    return recorded[MARKER] === 'called'
      ? { ...base, entityOperationCalled: common }
      : { ...base, entityOperationSignaled: common };
  }
  if (e.eventType === 'EventRaised' && calls.has(e.name)) {
    const response = parse<EntityResponse>(e.input) ?? {};
    if (response.exceptionType !== undefined) {
      const message = parse<unknown>(response.result);
      return {
        ...base,
        entityOperationFailed: {
          requestId: e.name,
          failureDetails: {
            errorType: response.exceptionType,
            errorMessage: typeof message === 'string' ? message : (response.result ?? ''),
          },
        },
      };
    }
    return { ...base, entityOperationCompleted: { requestId: e.name, output: str(response.result) } };
  }
  return undefined;
}

function recordedAction(e: HistoryEvent): RecordedEntityAction | undefined {
  if (e.eventType !== 'GenericEvent' || !e.data?.includes(MARKER)) return undefined;
  const value = parse<RecordedEntityAction>(e.data);
  return value && typeof value === 'object' && MARKER in value ? value : undefined;
}

function parse<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
