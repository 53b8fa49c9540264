// Critical sections (`lockEntities`): the lock request an orchestration sends and the task that waits for the grant.
// The request travels the sorted lockset entity by entity (each locks itself, then forwards it; the last one answers),
// so every orchestration takes overlapping locks in the same order and none can wait on another in a cycle.
import type { EntityLock } from './context.js';
import { asEntityId } from './entity-id.js';
import { ENTITY_REQUEST_EVENT, type EntityRequest } from './entity-state.js';
import { TaskhubError } from './errors.js';
import type { HistoryEvent } from './history.js';
import { ActionTask, EntityCallTask } from './task.js';

/** The section an orchestration holds or waits for: released on `release()` or when the orchestration ends. */
export interface CriticalSection {
  readonly lockId: string;
  /** Sorted scheduler ids. */
  readonly entities: readonly string[];
}

/** Completes with the lock handle once every entity of the section is locked. */
export class EntityLockTask<L extends EntityLock = EntityLock> extends EntityCallTask<L> {
  constructor(
    request: ActionTask,
    readonly section: CriticalSection,
    readonly handle: L,
  ) {
    super(section.lockId, request);
  }
  override receive(): void {
    this.complete(this.handle);
  }
}

/** Sorted, distinct scheduler ids of a lock request; throws on an empty or invalid list. */
export function lockset(entityIds: readonly unknown[]): string[] {
  if (entityIds.length === 0) throw new TaskhubError('INVALID_ARGUMENT', 'lockEntities needs at least one EntityId.');
  const ids = entityIds.map((id) => {
    const entityId = asEntityId(id);
    if (!entityId) throw new TypeError('lockEntities takes EntityId arguments (or their JSON form { name, key }).');
    return entityId.toString();
  });
  return [...new Set(ids)].sort();
}

/** The SendEvent action of the lock request, addressed to the first entity of the lockset. */
export function lockRequestAction(section: CriticalSection, parent: string): ActionTask {
  const request: EntityRequest = { id: section.lockId, lockset: section.entities, pos: 0, parent };
  return new ActionTask({
    kind: 'SendEvent',
    instanceId: section.entities[0]!,
    name: ENTITY_REQUEST_EVENT,
    input: JSON.stringify(request),
  });
}

/** The JSON request that releases a section's lock, sent to each of its entities. */
export function releaseRequest(section: CriticalSection, parent: string): string {
  const request: EntityRequest = { id: section.lockId, release: true, parent };
  return JSON.stringify(request);
}

/** The release messages of a section, one per entity. */
export function releaseActions(section: CriticalSection, parent: string): ActionTask[] {
  const input = releaseRequest(section, parent);
  return section.entities.map(
    (instanceId) => new ActionTask({ kind: 'SendEvent', instanceId, name: ENTITY_REQUEST_EVENT, input }),
  );
}

/**
 * The critical section a recorded history leaves open (requested and not released), read from its EventSent events
 * alone. For ending an execution whose code cannot run (not registered any more, or the runtime failed it): its locks
 * must still be released, or the entities would stay locked for good.
 */
export function openSectionIn(history: readonly HistoryEvent[]): CriticalSection | undefined {
  let open: CriticalSection | undefined;
  for (const e of history) {
    if (e.eventType !== 'EventSent' || e.name !== ENTITY_REQUEST_EVENT || e.input === undefined) continue;
    let request: EntityRequest;
    try {
      request = JSON.parse(e.input) as EntityRequest;
    } catch {
      continue;
    }
    if (request.lockset) open = { lockId: request.id, entities: request.lockset };
    else if (request.release && open?.lockId === request.id) open = undefined;
  }
  return open;
}
