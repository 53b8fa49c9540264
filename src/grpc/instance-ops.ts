// The store operations behind the instance-management RPCs: the DurableClient's rules (an unknown instance is
// NOT_FOUND, a finished one refuses events and control), on raw JSON text as the SDKs send it (never re-encoded).
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { CompletionWaiter } from '../client/completion-waiter.js';
import { parseEntityRecord } from '../core/entity-state.js';
import { TaskhubError } from '../core/errors.js';
import { isTerminal, type HistoryEvent, type RuntimeStatus } from '../core/history.js';
import type { InstanceRecord, NewInstance, Store } from '../store/store.js';
import { str, toOrchestrationState, toPbEvent, toTimestamp } from './convert.js';
import { entityPbEvent, entityRequestIds } from './entity-events.js';

export { normalizeEntityId } from './entity-events.js';
import type * as pb from './proto-types.js';

const HISTORY_CHUNK = 200;

export interface StartSpec {
  readonly instanceId: string;
  readonly name: string;
  readonly input: string | undefined;
  /** The orchestration version (recorded in ExecutionStarted, where the SDKs' versioning reads it). */
  readonly version?: string | undefined;
  readonly executionId: string | undefined;
  readonly startAt: string | undefined;
  readonly replaceable: readonly RuntimeStatus[];
  /** Orchestration tags, kept with the instance and returned by GetInstance and QueryInstances. */
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

export async function createInstance(store: Store, spec: StartSpec): Promise<void> {
  const timestamp = new Date().toISOString();
  const executionId = spec.executionId ?? randomUUID().replaceAll('-', '');
  const input = spec.input === undefined ? {} : { input: spec.input };
  const startEvent: HistoryEvent = {
    eventType: 'ExecutionStarted',
    eventId: -1,
    timestamp,
    name: spec.name,
    instanceId: spec.instanceId,
    executionId,
    ...input,
    ...(spec.version ? { version: spec.version } : {}),
    ...(spec.startAt === undefined ? {} : { scheduledStartTime: spec.startAt }),
  };
  const instance: NewInstance = {
    instanceId: spec.instanceId,
    executionId,
    name: spec.name,
    ...input,
    createdTime: timestamp,
    startEvent,
    ...(spec.startAt === undefined ? {} : { visibleAt: spec.startAt }),
    ...(spec.tags && Object.keys(spec.tags).length > 0 ? { tags: spec.tags } : {}),
  };
  await store.createInstance(instance, { replaceableStatuses: spec.replaceable });
}

export async function requireInstance(store: Store, instanceId: string): Promise<InstanceRecord> {
  const record = await store.getInstance(instanceId);
  if (!record) throw new TaskhubError('INSTANCE_NOT_FOUND', `No instance with ID '${instanceId}' was found.`);
  return record;
}

export async function requireUnfinished(store: Store, instanceId: string, verb: string): Promise<InstanceRecord> {
  const record = await requireInstance(store, instanceId);
  if (isTerminal(record.runtimeStatus)) {
    throw new TaskhubError(
      'INSTANCE_FINISHED',
      `Cannot ${verb} instance '${instanceId}' because it is in the ${record.runtimeStatus} state.`,
    );
  }
  return record;
}

export async function send(store: Store, instanceId: string, event: HistoryEvent): Promise<void> {
  // No executionId: the message goes to whatever execution is current when it is delivered.
  if ((await store.enqueueMessages([{ instanceId, event }])) === 0) {
    throw new TaskhubError('INSTANCE_NOT_FOUND', `No instance with ID '${instanceId}' was found.`);
  }
}

/** Polls the store (woken early by this process's own commits) until `done` holds, the deadline passes, or the caller leaves. */
export async function waitFor(
  req: pb.GetInstanceRequest,
  done: (r: InstanceRecord) => boolean,
  options: { readonly store: Store; readonly waiter: CompletionWaiter; readonly waitPollMs?: number },
  call: grpc.ServerUnaryCall<unknown, unknown>,
): Promise<pb.GetInstanceResponse> {
  const deadline = call.getDeadline();
  const deadlineMs = deadline === undefined || deadline === Infinity ? Infinity : new Date(deadline).getTime();
  const pollMs = options.waitPollMs ?? 200;
  for (;;) {
    const round = new AbortController();
    const woken = options.waiter.wait(req.instanceId, round.signal);
    try {
      const record = await options.store.getInstance(req.instanceId);
      if (!record) return { exists: false, orchestrationState: null };
      if (done(record))
        return { exists: true, orchestrationState: toOrchestrationState(record, req.getInputsAndOutputs) };
      if (call.cancelled || Date.now() >= deadlineMs) {
        throw Object.assign(new Error('deadline'), { grpcCode: grpc.status.DEADLINE_EXCEEDED });
      }
      const wait = Math.min(pollMs, Math.max(0, deadlineMs - Date.now()));
      await Promise.race([woken, new Promise((resolve) => setTimeout(resolve, wait).unref())]);
    } finally {
      round.abort('round over');
    }
  }
}

export async function streamHistory(
  store: Store,
  call: grpc.ServerWritableStream<{ instanceId: string }, unknown>,
): Promise<void> {
  await requireInstance(store, call.request.instanceId);
  const history = await store.getHistory(call.request.instanceId);
  const calls = entityRequestIds(history);
  for (let i = 0; i < history.length; i += HISTORY_CHUNK) {
    const chunk = history.slice(i, i + HISTORY_CHUNK);
    call.write({ events: chunk.map((e) => entityPbEvent(e, calls) ?? toPbEvent(e)) });
  }
  call.end();
}

export function entityMetadata(record: InstanceRecord, includeState: boolean): pb.EntityMetadata {
  const entity = parseEntityRecord(record.entityState);
  return {
    instanceId: record.instanceId,
    lastModifiedTime: toTimestamp(record.lastUpdatedTime),
    backlogQueueSize: entity.queue?.length ?? 0,
    lockedBy: str(entity.lock?.owner),
    serializedState: includeState ? str(entity.state) : null,
  };
}

/**
 * Waits up to `maxMs` until the instance's row satisfies `done` (woken early by this process's commits): lets a
 * request that the dispatcher carries out (a rewind) answer once it took effect, as the Durable Task Scheduler does.
 */
export async function settle(
  options: { readonly store: Store; readonly waiter: CompletionWaiter },
  instanceId: string,
  done: (r: InstanceRecord) => boolean,
  maxMs: number,
): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const round = new AbortController();
    const woken = options.waiter.wait(instanceId, round.signal);
    try {
      const record = await options.store.getInstance(instanceId);
      if (!record || done(record)) return;
      await Promise.race([woken, new Promise((resolve) => setTimeout(resolve, 50).unref())]);
    } finally {
      round.abort('round over');
    }
  }
}

/**
 * The instance's sub-orchestrations, their sub-orchestrations and so on (read from each one's current history, where
 * `SubOrchestrationInstanceCreated` names the child; a child whose row names another parent is left out), parents
 * before children: what Durable Functions' recursive terminate and purge act on besides the instance itself.
 */
export async function subOrchestrationTree(store: Store, instanceId: string): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set([instanceId]);
  const queue = [instanceId];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const e of await store.getHistory(parent)) {
      if (e.eventType !== 'SubOrchestrationInstanceCreated' || seen.has(e.instanceId)) continue;
      seen.add(e.instanceId);
      const child = await store.getInstance(e.instanceId);
      if (child?.parentInstanceId !== parent) continue;
      found.push(e.instanceId);
      queue.push(e.instanceId);
    }
  }
  return found;
}
