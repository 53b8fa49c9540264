// Entities run by SDK workers. Taskhub's entity model (one record with the state, the critical-section lock, the
// queue of requests waiting for it, and the request ids already applied) stays Taskhub's: core executeEntityBatch
// runs twice over the same requests. The first pass only records which operations run, in order (locks, queueing and
// dedupe decide that); those go to the SDK as one EntityBatchRequest. The second pass applies the SDK's per-operation
// results (a failure rolls its operation back, as in-process) and its final state, and yields the new record and the
// responses owed to calling orchestrations. Signals and orchestration starts the operations asked for are returned
// beside it.
import { randomUUID } from 'node:crypto';
import { EntityOperationContext } from '../core/entity-context.js';
import { executeEntityBatch, type EntityBatchResult as CoreBatchResult } from '../core/entity-executor.js';
import {
  ENTITY_REQUEST_EVENT,
  parseEntityRecord,
  parseEntityRequest,
  type EntityRequest,
} from '../core/entity-state.js';
import type { HistoryEvent } from '../core/history.js';
import type { InstanceRecord, NewInstance, NewMessage, OrchestrationMessage } from '../store/store.js';
import { fromPbFailure, fromTimestamp, str, unwrap } from './convert.js';
import type * as pb from './proto-types.js';

export interface EntityPlan {
  readonly requests: readonly EntityRequest[];
  readonly request: pb.EntityBatchRequest;
}

/** The operations a batch of stored messages runs, as the SDK's EntityBatchRequest. */
export async function planEntityBatch(
  instance: InstanceRecord,
  messages: readonly OrchestrationMessage[],
): Promise<EntityPlan> {
  const requests = entityRequests(messages);
  const record = parseEntityRecord(instance.entityState);
  const operations: pb.OperationRequest[] = [];
  await executeEntityBatch(
    (context) => {
      const df = context.df;
      if (df instanceof EntityOperationContext) {
        operations.push({
          operation: df.operationName,
          requestId: context.invocationId.slice(instance.instanceId.length + 1),
          input: str(df.inputText),
        });
      }
    },
    { schedulerId: instance.instanceId, record, requests },
  );
  return {
    requests,
    request: {
      instanceId: instance.instanceId,
      entityState: record.exists ? str(record.state) : null,
      operations,
    },
  };
}

export interface AppliedEntityBatch {
  readonly result: CoreBatchResult;
  readonly newMessages: readonly NewMessage[];
  readonly newInstances: readonly NewInstance[];
}

/** The SDK's batch result applied to the entity record, with everything the batch sends. */
export async function applyEntityBatch(
  instance: InstanceRecord,
  plan: EntityPlan,
  batch: pb.EntityBatchResult,
  now: string,
): Promise<AppliedEntityBatch> {
  const finalState = unwrap(batch.entityState);
  let index = 0;
  const result = await executeEntityBatch(
    (context) => {
      const df = context.df;
      const outcome = batch.results[index++];
      const failure = batch.failureDetails ?? outcome?.failure?.failureDetails ?? (outcome ? undefined : missing());
      if (failure) {
        const details = fromPbFailure(failure);
        const error = new Error(details.errorMessage);
        error.name = details.errorType;
        throw error;
      }
      if (!(df instanceof EntityOperationContext)) return;
      // The SDK reports the state after the whole batch: every successful operation leaves that state.
      df.stateText = finalState;
      df.exists = finalState !== undefined;
      df.destruct = finalState === undefined;
      df.resultText = unwrap(outcome?.success?.result);
    },
    { schedulerId: instance.instanceId, record: parseEntityRecord(instance.entityState), requests: plan.requests },
  );
  const newMessages: NewMessage[] = result.sends.map((s) => ({
    instanceId: s.instanceId,
    event: { eventType: 'EventRaised', eventId: -1, timestamp: now, name: s.name, input: s.input },
  }));
  const newInstances: NewInstance[] = [];
  if (!batch.failureDetails) {
    for (const action of batch.actions) {
      if (action.sendSignal) {
        const s = action.sendSignal;
        const input = unwrap(s.input);
        const request: EntityRequest = {
          id: randomUUID(),
          op: s.name,
          signal: true,
          parent: instance.instanceId,
          ...(input === undefined ? {} : { input }),
        };
        const at = fromTimestamp(s.scheduledTime);
        newMessages.push({
          instanceId: s.instanceId,
          event: {
            eventType: 'EventRaised',
            eventId: -1,
            timestamp: now,
            name: ENTITY_REQUEST_EVENT,
            input: JSON.stringify(request),
          },
          ...(at === undefined ? {} : { visibleAt: at }),
        });
      } else if (action.startNewOrchestration) {
        const o = action.startNewOrchestration;
        const instanceId = o.instanceId || randomUUID().replaceAll('-', '');
        const executionId = randomUUID().replaceAll('-', '');
        const input = unwrap(o.input);
        const at = fromTimestamp(o.scheduledTime);
        const startEvent: HistoryEvent = {
          eventType: 'ExecutionStarted',
          eventId: -1,
          timestamp: now,
          name: o.name,
          instanceId,
          executionId,
          ...(input === undefined ? {} : { input }),
        };
        newInstances.push({
          instanceId,
          executionId,
          name: o.name,
          ...(input === undefined ? {} : { input }),
          createdTime: now,
          startEvent,
          ...(at === undefined ? {} : { visibleAt: at }),
        });
      }
    }
  }
  return { result, newMessages, newInstances };
}

function entityRequests(messages: readonly OrchestrationMessage[]): EntityRequest[] {
  const requests: EntityRequest[] = [];
  for (const m of messages) {
    const e = m.event;
    const request =
      e.eventType === 'EventRaised' && e.name === ENTITY_REQUEST_EVENT ? parseEntityRequest(e.input) : undefined;
    if (request) requests.push(request);
  }
  return requests;
}

function missing(): pb.TaskFailureDetails {
  return { errorType: 'TaskhubError', errorMessage: 'The SDK worker returned no result for this operation.' };
}
