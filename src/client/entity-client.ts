// The entity half of the DurableClient: signals become stored request messages (the store creates the entity on the
// first one), reads and listings decode the entity record the worker commits with each batch.
import { randomUUID } from 'node:crypto';
import { asEntityId, EntityId } from '../core/entity-id.js';
import {
  ENTITY_REQUEST_EVENT,
  isEntityInstanceId,
  parseEntityRecord,
  type EntityRequest,
} from '../core/entity-state.js';
import { TaskhubError } from '../core/errors.js';
import { parseJson } from '../core/task.js';
import type { Store } from '../store/store.js';
import { toJsonText } from './json.js';
import type { EntityMetadata, EntityPage, EntityQuery, EntityStateResponse } from './types.js';

export async function signalEntity(
  store: Store,
  entityId: EntityId,
  operationName: string | undefined,
  operationContent: unknown,
): Promise<string> {
  const target = requireEntityId(entityId).toString();
  if (operationName !== undefined && typeof operationName !== 'string') {
    throw new TaskhubError('INVALID_ARGUMENT', 'signalEntity: the operation name must be a string.');
  }
  const input = toJsonText(operationContent, 'operation input');
  // A fresh id per signal: the entity applies each id once, even if the message were delivered twice.
  const request: EntityRequest = {
    id: randomUUID(),
    op: operationName ?? '',
    signal: true,
    ...(input === undefined ? {} : { input }),
  };
  await store.enqueueMessages([
    {
      instanceId: target,
      event: {
        eventType: 'EventRaised',
        eventId: -1,
        timestamp: new Date().toISOString(),
        name: ENTITY_REQUEST_EVENT,
        input: JSON.stringify(request),
      },
    },
  ]);
  return target;
}

export async function readEntityState<T>(store: Store, entityId: EntityId): Promise<EntityStateResponse<T>> {
  const record = await store.getInstance(requireEntityId(entityId).toString());
  const entity = parseEntityRecord(record?.entityState);
  if (!entity.exists) return { entityExists: false };
  return { entityExists: true, entityState: parseJson(entity.state) as T };
}

export async function listEntities(store: Store, query: EntityQuery = {}): Promise<EntityPage> {
  const prefix = query.entityName === undefined ? '@' : `@${query.entityName.toLowerCase()}@`;
  const page = await store.queryInstances({
    instanceIdPrefix: prefix,
    showInput: false,
    ...(query.pageSize === undefined ? {} : { pageSize: query.pageSize }),
    ...(query.continuationToken === undefined ? {} : { continuationToken: query.continuationToken }),
  });
  const from = query.lastOperationTimeFrom?.getTime() ?? -Infinity;
  const to = query.lastOperationTimeTo?.getTime() ?? Infinity;
  const entities: EntityMetadata[] = [];
  for (const instance of page.instances) {
    if (!isEntityInstanceId(instance.instanceId)) continue;
    const entity = parseEntityRecord(instance.entityState);
    const lastOperationTime = new Date(instance.lastUpdatedTime);
    if (!entity.exists || lastOperationTime.getTime() < from || lastOperationTime.getTime() > to) continue;
    entities.push({
      entityId: EntityId.fromSchedulerId(instance.instanceId),
      lastOperationTime,
      ...(query.fetchState ? { state: parseJson(entity.state) } : {}),
    });
  }
  return page.continuationToken === undefined ? { entities } : { entities, continuationToken: page.continuationToken };
}

function requireEntityId(value: unknown): EntityId {
  const entityId = asEntityId(value);
  if (!entityId) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      'Pass a df.EntityId (new df.EntityId(name, key)), or its JSON form { name, key }, to identify the entity.',
    );
  }
  return entityId;
}
