// What an unfinished orchestration waits for, read from its stored history alone: timers not fired yet, activities
// and sub-orchestrations not answered (with their attempt number when a retry policy scheduled them again), entity
// operations not answered, and the critical section (lockEntities) it holds or has requested. Pure, one pass (only
// readWaitingFor reads the history from a store first). A Taskhub extension: Durable Functions' status API has none.
import type { HistoryEvent, RuntimeStatus } from '../core/history.js';
import type { FunctionRegistry } from '../core/registry.js';
import type { Store } from '../store/store.js';

/** One thing an instance waits for. Times are ISO 8601 UTC, as in the history. */
export type WaitingItem =
  | { readonly kind: 'timer'; readonly timerId: number; readonly fireAt: string }
  | {
      readonly kind: 'activity';
      readonly name: string;
      readonly taskScheduledId: number;
      readonly scheduledTime: string;
      /** 1 for the first call; n when n - 1 earlier calls with the same name and input failed (a retry policy). */
      readonly attempt: number;
      /** The retry policy's maxNumberOfAttempts, when a retry policy made the call. */
      readonly maxAttempts?: number;
    }
  | {
      readonly kind: 'subOrchestration';
      readonly name: string;
      readonly instanceId: string;
      readonly taskScheduledId: number;
      readonly scheduledTime: string;
      readonly attempt: number;
      readonly maxAttempts?: number;
    }
  | {
      readonly kind: 'entityOperation';
      readonly entityId: string;
      readonly operation: string;
      readonly sentTime: string;
    }
  | {
      readonly kind: 'entityLock';
      /** Scheduler ids (`@name@key`), sorted. */
      readonly entities: readonly string[];
      /** 'held' once the grant arrived, 'requested' while it has not. */
      readonly state: 'held' | 'requested';
    };

export interface WaitingFor {
  /** Unanswered work, timers soonest first, then the rest in history order. */
  readonly items: readonly WaitingItem[];
  /**
   * True when nothing in `items` can wake the instance: an unfinished orchestration then waits for an external event
   * (waitForExternalEvent records nothing in the history, so its name is not known from it) or is stuck.
   */
  readonly onlyExternalEvents: boolean;
  /**
   * Set when the app that answers does not run the instance's version (versionFailureStrategy Reject): before
   * anything in `items` can happen, a worker that runs this version of this orchestration has to claim it. Only an
   * answer that knows the app's registrations (the host, a test hub) can say so; a bare store cannot.
   */
  readonly worker?: VersionWait;
}

/** The orchestration and version an instance waits for a worker to run (version absent: an unversioned instance). */
export interface VersionWait {
  readonly name: string;
  readonly version?: string;
}

/** "a worker that runs version 9.9 of Order": the words every answer (status, test hub, doctor) uses. */
export function describeVersionWait(wait: VersionWait): string {
  const version = wait.version === undefined || wait.version === '' ? undefined : wait.version;
  return version === undefined
    ? `a worker that runs ${wait.name} instances without a version`
    : `a worker that runs version ${version} of ${wait.name}`;
}

/**
 * What an unfinished instance of `name` created with `version` waits for when this app will not run it: a worker that
 * runs its version. Undefined when the app runs it, does not know the orchestration (it fails as unknown), or fails
 * what it may not run (versionFailureStrategy Fail).
 */
export function versionWait(
  registry: Pick<FunctionRegistry, 'orchestrationFor' | 'versioning'>,
  name: string,
  version: string | undefined,
): VersionWait | undefined {
  if (registry.versioning.versionFailureStrategy === 'Fail') return undefined;
  const choice = registry.orchestrationFor(name, version);
  if (!choice || !('refused' in choice)) return undefined;
  return version === undefined ? { name } : { name, version };
}

/** The EventRaised/EventSent name of entity requests (Durable Functions' wire name). */
const ENTITY_REQUEST = 'op';

interface EntityRequestShape {
  readonly id?: string;
  readonly op?: string;
  readonly signal?: boolean;
  readonly lockset?: readonly string[];
  readonly release?: boolean;
}

/**
 * The attempt number of every TaskScheduled and SubOrchestrationInstanceCreated event, by its eventId. A call counts
 * as a retry of an earlier one when both have the same kind, name and input and the earlier one failed; the history
 * does not record the retry policy, so the number of attempts allowed is not known from it.
 */
export function attemptsOf(history: readonly HistoryEvent[]): Map<number, number> {
  const attempts = new Map<number, number>();
  const keyOf = new Map<number, string>();
  /** Failed calls not yet followed by a retry, by key, oldest first. */
  const failed = new Map<string, number[]>();
  for (const e of history) {
    if (e.eventType === 'TaskScheduled' || e.eventType === 'SubOrchestrationInstanceCreated') {
      const key = `${e.eventType}\u0000${e.name}\u0000${e.input ?? ''}`;
      const earlier = failed.get(key)?.shift();
      attempts.set(e.eventId, earlier === undefined ? 1 : earlier + 1);
      keyOf.set(e.eventId, key);
    } else if (e.eventType === 'TaskFailed' || e.eventType === 'SubOrchestrationInstanceFailed') {
      const key = keyOf.get(e.taskScheduledId);
      const attempt = attempts.get(e.taskScheduledId);
      if (key === undefined || attempt === undefined) continue;
      const list = failed.get(key) ?? [];
      list.push(attempt);
      failed.set(key, list);
    }
  }
  return attempts;
}

/** What the history's execution still waits for; a finished execution (ExecutionCompleted) waits for nothing. */
export function waitingFor(history: readonly HistoryEvent[]): WaitingFor {
  const attempts = attemptsOf(history);
  const open = new Map<number, WaitingItem>();
  const timers = new Map<number, WaitingItem>();
  const calls = new Map<string, WaitingItem>();
  let lock: { id: string; entities: readonly string[]; granted: boolean } | undefined;
  for (const e of history) {
    switch (e.eventType) {
      case 'ExecutionCompleted':
      case 'ContinueAsNew':
        return { items: [], onlyExternalEvents: false };
      case 'TaskScheduled':
        open.set(e.eventId, {
          kind: 'activity',
          name: e.name,
          taskScheduledId: e.eventId,
          scheduledTime: e.timestamp,
          attempt: attempts.get(e.eventId) ?? 1,
          ...(e.maxAttempts !== undefined ? { maxAttempts: e.maxAttempts } : {}),
        });
        break;
      case 'SubOrchestrationInstanceCreated':
        open.set(e.eventId, {
          kind: 'subOrchestration',
          name: e.name,
          instanceId: e.instanceId,
          taskScheduledId: e.eventId,
          scheduledTime: e.timestamp,
          attempt: attempts.get(e.eventId) ?? 1,
          ...(e.maxAttempts !== undefined ? { maxAttempts: e.maxAttempts } : {}),
        });
        break;
      case 'TaskCompleted':
      case 'TaskFailed':
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed':
        open.delete(e.taskScheduledId);
        break;
      case 'TimerCreated':
        timers.set(e.eventId, { kind: 'timer', timerId: e.eventId, fireAt: e.fireAt });
        break;
      case 'TimerFired':
        timers.delete(e.timerId);
        break;
      case 'EventSent': {
        if (e.name !== ENTITY_REQUEST) break;
        const request = parse(e.input);
        if (!request?.id) break;
        if (request.lockset) lock = { id: request.id, entities: request.lockset, granted: false };
        else if (request.release && lock?.id === request.id) lock = undefined;
        else if (request.op !== undefined && !request.signal) {
          calls.set(request.id, {
            kind: 'entityOperation',
            entityId: e.instanceId,
            operation: request.op,
            sentTime: e.timestamp,
          });
        }
        break;
      }
      case 'EventRaised':
        // Entity responses and lock grants arrive as events named by the request id.
        if (lock?.id === e.name) lock.granted = true;
        calls.delete(e.name);
        break;
      default:
        break;
    }
  }
  const items: WaitingItem[] = [...timers.values()].sort((a, b) =>
    a.kind === 'timer' && b.kind === 'timer' ? a.fireAt.localeCompare(b.fireAt) : 0,
  );
  items.push(...open.values(), ...calls.values());
  if (lock) items.push({ kind: 'entityLock', entities: lock.entities, state: lock.granted ? 'held' : 'requested' });
  const wakes = items.some((i) => i.kind !== 'entityLock' || i.state === 'requested');
  return { items, onlyExternalEvents: !wakes };
}

/** Statuses whose instances wait for something (a Suspended one waits to be resumed first, then for the same). */
export const WAITING_STATUSES: ReadonlySet<RuntimeStatus> = new Set<RuntimeStatus>(['Running', 'Suspended']);

/**
 * What an instance in `runtimeStatus` waits for, read from its stored history; null when it waits for nothing. With
 * `app` (the answering app's registry and the instance's name and version), a version that app does not run is said
 * first, Pending instances included.
 */
export async function readWaitingFor(
  store: Pick<Store, 'getHistory'>,
  instanceId: string,
  runtimeStatus: RuntimeStatus,
  app?: {
    readonly registry: Pick<FunctionRegistry, 'orchestrationFor' | 'versioning'>;
    readonly name: string;
    readonly version: string | undefined;
  },
): Promise<WaitingFor | null> {
  const worker =
    app && (runtimeStatus === 'Pending' || WAITING_STATUSES.has(runtimeStatus))
      ? versionWait(app.registry, app.name, app.version)
      : undefined;
  if (!WAITING_STATUSES.has(runtimeStatus)) return worker ? { items: [], onlyExternalEvents: false, worker } : null;
  const waiting = waitingFor(await store.getHistory(instanceId));
  // An event raised for it may sit in its queue already: what history alone suggests is not the reason it waits.
  return worker ? { items: waiting.items, onlyExternalEvents: false, worker } : waiting;
}

/** "attempt 2 of 3" when the policy is known, "attempt 2" when not, nothing for a first call without a policy. */
export function attemptText(item: { readonly attempt: number; readonly maxAttempts?: number }): string {
  if (item.maxAttempts !== undefined) return `attempt ${item.attempt} of ${item.maxAttempts}`;
  return item.attempt > 1 ? `attempt ${item.attempt}` : '';
}

/** One waiting item in a few words, times as stored (ISO 8601 UTC): the CLI's "Waiting for" lines. */
export function describeWaitingItem(item: WaitingItem): string {
  const attempt = (i: { attempt: number; maxAttempts?: number }) => {
    const text = attemptText(i);
    return text ? `, ${text}` : '';
  };
  switch (item.kind) {
    case 'timer':
      return `timer due ${item.fireAt}`;
    case 'activity':
      return `activity ${item.name} (scheduled ${item.scheduledTime}${attempt(item)})`;
    case 'subOrchestration':
      return `sub-orchestration ${item.name} ${item.instanceId} (started ${item.scheduledTime}${attempt(item)})`;
    case 'entityOperation':
      return `entity ${item.entityId}: ${item.operation} (sent ${item.sentTime})`;
    case 'entityLock':
      return `lock on ${item.entities.join(', ')} (${item.state})`;
    default: {
      const unhandled: never = item;
      throw new Error(`Unhandled waiting item ${JSON.stringify(unhandled)}`);
    }
  }
}

/** Every line of "Waiting for": the items, or the external event when nothing else can wake the instance. */
export function describeWaitingFor(waiting: WaitingFor): string[] {
  const lines = waiting.items.map(describeWaitingItem);
  if (waiting.worker) lines.unshift(describeVersionWait(waiting.worker));
  if (waiting.onlyExternalEvents) lines.push('an external event (waitForExternalEvent records no name in the history)');
  return lines;
}

function parse(text: string | undefined): EntityRequestShape | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}
