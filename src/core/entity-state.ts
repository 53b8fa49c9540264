// The entity wire protocol and stored record: the request messages orchestrations, entities and clients send to an
// entity (EventRaised named 'op' whose input is a JSON request, Durable Functions' shape, reference B2/B6), the
// responses (EventRaised named by the request id), and the one JSON record the store keeps per entity.

/** The EventRaised name of every request to an entity. */
export const ENTITY_REQUEST_EVENT = 'op';

/**
 * A request to an entity. An operation carries `op`; a lock request carries `lockset` (sorted scheduler ids) and
 * `pos`, the index of the entity it is addressed to; a release carries `release` and the lock request's id.
 */
export interface EntityRequest {
  /** Unique per request: names the response, and dedupes a request delivered twice. */
  readonly id: string;
  readonly op?: string;
  /** True for a one-way signal (no response). */
  readonly signal?: boolean;
  /** JSON text of the operation input. */
  readonly input?: string;
  /** The instance that sent it (an orchestration, whose response goes there, or an entity). */
  readonly parent?: string;
  readonly lockset?: readonly string[];
  readonly pos?: number;
  readonly release?: boolean;
}

/** The response payload, Durable Functions' shape: `result` is JSON text; `exceptionType` marks a failure. */
export interface EntityResponse {
  readonly result?: string;
  readonly exceptionType?: string;
}

/** Everything the store keeps for one entity, as one JSON text (the instance row's entity state). */
export interface EntityRecord {
  /** False before the first setState and after destructOnExit. */
  readonly exists: boolean;
  /** JSON text of the user state. */
  readonly state?: string;
  /** The critical section holding the entity: the owning orchestration and its lock request id. */
  readonly lock?: { readonly owner: string; readonly id: string };
  /** Requests of others that arrived while locked, in arrival order. */
  readonly queue?: readonly EntityRequest[];
  /** The latest request ids applied (bounded), so a redelivered request is not applied twice. */
  readonly recent?: readonly string[];
}

/** How many request ids an entity remembers for dedupe. */
export const RECENT_REQUEST_IDS = 1000;

export const EMPTY_ENTITY: EntityRecord = { exists: false };

export function parseEntityRecord(text: string | undefined): EntityRecord {
  if (text === undefined || text === '') return EMPTY_ENTITY;
  return JSON.parse(text) as EntityRecord;
}

/** Parses a request message's input; undefined for anything that is not a request (dropped by the caller). */
export function parseEntityRequest(input: string | undefined): EntityRequest | undefined {
  if (input === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(input);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const request = value as Partial<EntityRequest>;
  return typeof request.id === 'string' ? (request as EntityRequest) : undefined;
}

/** True for an entity's scheduler id (`@name@key`): orchestration instance ids never start with '@'. */
export function isEntityInstanceId(instanceId: string): boolean {
  return instanceId.startsWith('@') && instanceId.indexOf('@', 1) > 0;
}

/** The (lowercased) entity name of a scheduler id, the name its instance row carries. */
export function entityName(schedulerId: string): string {
  return schedulerId.slice(1, schedulerId.indexOf('@', 1));
}
