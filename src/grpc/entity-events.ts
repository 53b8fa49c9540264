// Entity calls, signals and critical sections (locks) from SDK orchestrators. Calls and signals: Taskhub's history has
// no entity event types, so the SDK's EntityOperationCalled / EntityOperationSignaled actions are recorded as a
// GenericEvent carrying the action (with its sequence id, so the SDK's replay finds it) and sent as Taskhub's own
// entity request messages; the response (an EventRaised named by the request id) is shown to the SDK as the
// EntityOperationCompleted / EntityOperationFailed event it waits for. Locks: EntityLockRequested and
// EntityUnlockSent become Taskhub's own lock request and release (core entity-lock.ts), recorded as the EventSent
// events Taskhub's own orchestrations record for them (so a section an ending execution leaves open is released the
// same way), and shown to the SDK as those proto events; the grant (an EventRaised named by the critical section id)
// is shown as EntityLockGranted.
import { ENTITY_REQUEST_EVENT, type EntityRequest, type EntityResponse } from '../core/entity-state.js';
import type { EventSentEvent, GenericEvent, HistoryEvent } from '../core/history.js';
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
  readonly historyEvent: GenericEvent | EventSentEvent;
  readonly message: NewMessage;
}

/** The history event and the request message of one SendEntityMessage action; undefined for an empty action. */
export function entityAction(
  id: number,
  action: NonNullable<pb.OrchestratorAction['sendEntityMessage']>,
  instanceId: string,
  now: string,
): EntityActionRecord | undefined {
  const lock = action.entityLockRequested;
  const unlock = action.entityUnlockSent;
  if (lock || unlock) {
    let target: string | undefined;
    let request: EntityRequest;
    if (lock) {
      // Taskhub's lock chain: the sorted lockset from its first entity on (each locks itself and forwards the
      // request; the last answers the orchestration with an event named by the critical section id).
      const lockset = [...new Set(lock.lockSet.map((e) => normalizeEntityId(e)))].sort();
      target = lockset[0];
      request = { id: lock.criticalSectionId, lockset, pos: 0, parent: instanceId };
    } else {
      target = normalizeEntityId(unwrap(unlock?.targetInstanceId) ?? '');
      request = { id: unlock?.criticalSectionId ?? '', release: true, parent: instanceId };
    }
    if (!target) return undefined;
    const input = JSON.stringify(request);
    return {
      historyEvent: {
        eventType: 'EventSent',
        eventId: id,
        timestamp: now,
        instanceId: target,
        name: ENTITY_REQUEST_EVENT,
        input,
      },
      message: {
        instanceId: target,
        event: { eventType: 'EventRaised', eventId: -1, timestamp: now, name: ENTITY_REQUEST_EVENT, input },
      },
    };
  }
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

/** Entity ids are '@name@key' with the name in lower case, as Durable Functions stores them. */
export function normalizeEntityId(id: string): string {
  const match = /^@([^@]*)@(.*)$/s.exec(id);
  return match ? `@${(match[1] ?? '').toLowerCase()}@${match[2] ?? ''}` : id;
}

/**
 * What each request id an entity may answer names, in a history: an entity call ('call') or a critical section's
 * lock request ('lock'). Their answers are shown to the SDK as entity events.
 */
export function entityRequestIds(history: readonly HistoryEvent[]): Map<string, 'call' | 'lock'> {
  const ids = new Map<string, 'call' | 'lock'>();
  for (const e of history) {
    const recorded = recordedAction(e);
    if (recorded?.[MARKER] === 'called') ids.set(recorded.requestId, 'call');
    const lock = sentLockRequest(e);
    if (lock?.lockset) ids.set(lock.id, 'lock');
  }
  return ids;
}

/** A recorded entity action or an entity's answer as the SDK's proto event; undefined for anything else. */
export function entityPbEvent(
  e: HistoryEvent,
  requests: ReadonlyMap<string, 'call' | 'lock'>,
): pb.HistoryEvent | undefined {
  const base = { eventId: e.eventId, timestamp: toTimestamp(e.timestamp) };
  const recorded = recordedAction(e);
  const lock = sentLockRequest(e);
  if (lock?.lockset && e.eventType === 'EventSent') {
    const lockSet = [...lock.lockset];
    return { ...base, entityLockRequested: { criticalSectionId: lock.id, lockSet, position: lock.pos ?? 0 } };
  }
  if (lock?.release && e.eventType === 'EventSent') {
    return { ...base, entityUnlockSent: { criticalSectionId: lock.id, targetInstanceId: str(e.instanceId) } };
  }
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
  if (e.eventType === 'EventRaised' && requests.get(e.name) === 'lock') {
    return { ...base, entityLockGranted: { criticalSectionId: e.name } };
  }
  if (e.eventType === 'EventRaised' && requests.get(e.name) === 'call') {
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

/** The lock request or release a recorded EventSent carries (Taskhub's own form of them). */
function sentLockRequest(e: HistoryEvent): EntityRequest | undefined {
  if (e.eventType !== 'EventSent' || e.name !== ENTITY_REQUEST_EVENT) return undefined;
  const request = parse<EntityRequest>(e.input);
  return request && typeof request === 'object' && (request.lockset || request.release) ? request : undefined;
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
