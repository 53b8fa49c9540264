// Entity storage clean-up, as Durable Functions' cleanEntityStorage does it, one page of entities at a time: a lock
// held for an orchestration that is no longer running (finished, purged or never there) gets the release that
// orchestration would have sent, so the entity's queued requests run; an empty entity (no state, no lock, no queued
// request) is deleted, unless a request reached it meanwhile (Store.deleteEntityIfIdle). Used by the gRPC
// CleanEntityStorage call and by retention passes.
import { releaseRequest } from '../core/entity-lock.js';
import { ENTITY_REQUEST_EVENT, isEntityInstanceId, parseEntityRecord } from '../core/entity-state.js';
import { isTerminal, type HistoryEvent } from '../core/history.js';
import type { Store } from '../store/store.js';

export interface EntityCleanupOptions {
  readonly removeEmptyEntities: boolean;
  readonly releaseOrphanedLocks: boolean;
  readonly pageSize: number;
  readonly continuationToken?: string;
}

export interface EntityCleanupPage {
  readonly emptyEntitiesRemoved: number;
  readonly orphanedLocksReleased: number;
  /** Undefined after the last page. */
  readonly continuationToken?: string;
}

/** Cleans one page of entities; the releases it sends are enqueued before it returns. */
export async function cleanEntityPage(
  store: Pick<Store, 'queryInstances' | 'getInstance' | 'deleteEntityIfIdle' | 'enqueueMessages'>,
  options: EntityCleanupOptions,
): Promise<EntityCleanupPage> {
  const page = await store.queryInstances({
    instanceIdPrefix: '@',
    pageSize: options.pageSize,
    ...(options.continuationToken ? { continuationToken: options.continuationToken } : {}),
  });
  let emptyEntitiesRemoved = 0;
  const releases: { instanceId: string; event: HistoryEvent }[] = [];
  for (const r of page.instances) {
    if (!isEntityInstanceId(r.instanceId)) continue;
    const entity = parseEntityRecord(r.entityState);
    if (entity.lock) {
      if (!options.releaseOrphanedLocks) continue;
      const owner = await store.getInstance(entity.lock.owner);
      if (owner && !isTerminal(owner.runtimeStatus)) continue;
      const input = releaseRequest({ lockId: entity.lock.id, entities: [r.instanceId] }, entity.lock.owner);
      const timestamp = new Date().toISOString();
      releases.push({
        instanceId: r.instanceId,
        event: { eventType: 'EventRaised', eventId: -1, timestamp, name: ENTITY_REQUEST_EVENT, input },
      });
    } else if (options.removeEmptyEntities && !entity.exists && !entity.queue?.length) {
      if (await store.deleteEntityIfIdle(r.instanceId, r.entityState)) emptyEntitiesRemoved++;
    }
  }
  if (releases.length > 0) await store.enqueueMessages(releases);
  return {
    emptyEntitiesRemoved,
    orphanedLocksReleased: releases.length,
    ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
  };
}
