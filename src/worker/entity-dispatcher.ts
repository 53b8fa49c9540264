// Runs claimed entity instances: all of an entity's waiting requests form one batch (core entity-executor), and the
// batch's new entity record, responses and signals commit in one episode commit with the messages it consumed, so a
// crash at any point either applies the whole batch once or leaves every message stored for the next claim.
import { executeEntityBatch } from '../core/entity-executor.js';
import {
  ENTITY_REQUEST_EVENT,
  entityName,
  parseEntityRecord,
  parseEntityRequest,
  type EntityRequest,
} from '../core/entity-state.js';
import type { EntityHandler } from '../core/context.js';
import type { FunctionRegistry } from '../core/registry.js';
import type { Clock } from '../clock.js';
import { LogEvents, logExecuted, type Logger } from '../log.js';
import type { EpisodeCommit, InstanceRecord, NewMessage, OrchestrationMessage } from '../store/store.js';
import type { GroupCommitter } from './group-committer.js';
import type { Store } from '../store/store.js';
import { leaseLost } from '../telemetry/metrics.js';
import { entityBatchCommitted, type EntityOperationRun } from '../telemetry/tracing.js';

/** The operations of a batch that an orchestration or entity asked for (lock requests and releases are not). */
function operationRuns(entityId: string, name: string, requests: readonly EntityRequest[]): EntityOperationRun[] {
  const runs: EntityOperationRun[] = [];
  for (const r of requests) {
    if (r.op === undefined || r.parent === undefined) continue;
    runs.push({ entityId, entityName: name, operation: r.op, signal: r.signal === true, caller: r.parent });
  }
  return runs;
}

export interface EntityDispatcherDeps {
  /** Where the callers' traces are read when this process has not run them. */
  readonly store: Store;
  readonly registry: FunctionRegistry;
  readonly committer: GroupCommitter;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Deliveries of one batch that may end the worker before the batch is quarantined (its operations fail). */
  readonly maxDeliveryCount: number;
  /** Called after a commit that sent messages (responses, signals, lock hand-offs). */
  readonly onMessagesSent: () => void;
}

export class EntityDispatcher {
  readonly #deps: EntityDispatcherDeps;
  /** Operations committed so far (benchmarks and tests). */
  operations = 0;

  constructor(deps: EntityDispatcherDeps) {
    this.#deps = deps;
  }

  /** Runs one claimed entity's batch and commits it; resolves false when the store rejected the commit. */
  async run(claimed: {
    instance: InstanceRecord;
    messages: readonly OrchestrationMessage[];
    deliveryCount?: number;
  }): Promise<boolean> {
    const { instance, messages } = claimed;
    const id = instance.instanceId;
    const requests: EntityRequest[] = [];
    for (const m of messages) {
      const event = m.event;
      const request =
        event.eventType === 'EventRaised' && event.name === ENTITY_REQUEST_EVENT
          ? parseEntityRequest(event.input)
          : undefined;
      if (request) requests.push(request);
      else this.#deps.logger.warn({ event: LogEvents.entityMessageDropped, instanceId: id }, 'not an entity request');
    }
    const name = entityName(id);
    const deliveries = (claimed.deliveryCount ?? 1) - 1;
    const handler =
      deliveries >= this.#deps.maxDeliveryCount
        ? this.#quarantined(id, name, deliveries)
        : this.#deps.registry.getEntity(name)?.handler;
    const startedAt = performance.now();
    const startMs = Date.now();
    const result = await executeEntityBatch(handler, {
      schedulerId: id,
      record: parseEntityRecord(instance.entityState),
      requests,
      logSink: (level, message) => {
        const method = (['trace', 'debug', 'info', 'warn', 'error'] as const).find((l) => l === level) ?? 'info';
        this.#deps.logger[method]({ event: LogEvents.entityLog, instanceId: id }, message);
      },
    });
    const ranFor = performance.now() - startedAt;
    const endMs = Date.now();
    const now = new Date(this.#deps.clock.now()).toISOString();
    const newMessages = result.sends.map((s): NewMessage => ({
      instanceId: s.instanceId,
      event: { eventType: 'EventRaised', eventId: -1, timestamp: now, name: s.name, input: s.input },
    }));
    const commit: EpisodeCommit = {
      instanceId: id,
      executionId: instance.executionId,
      expectedHistoryLength: instance.historyLength,
      append: [],
      runtimeStatus: instance.runtimeStatus,
      entityState: JSON.stringify(result.record),
      consumedMessageIds: messages.map((m) => m.id),
      completedWorkItems: [],
      newWorkItems: [],
      newMessages,
      newInstances: [],
      keepLock: false,
    };
    const ok = await this.#deps.committer.commitEpisode(commit);
    if (!ok) {
      leaseLost();
      this.#deps.logger.debug({ event: LogEvents.episodeRejected, instanceId: id }, 'entity batch rejected');
      return false;
    }
    this.operations += result.operations;
    // Never rejects: a span that cannot be placed is left out, the batch stays committed.
    void entityBatchCommitted(this.#deps.store, operationRuns(id, name, requests), startMs, endMs);
    // One line per batch (an entity function invocation runs a batch of operations, as in Durable Functions).
    logExecuted(this.#deps.logger, { functionName: name, id }, ranFor, undefined, `Operations=${result.operations}`);
    if (newMessages.length > 0) this.#deps.onMessagesSent();
    return true;
  }

  /**
   * A batch that ended its worker maxDeliveryCount times: each of its operations fails with a message saying so
   * (callers get the error, the state stays as it was), and the entity goes on with the next batch.
   */
  #quarantined(id: string, name: string, deliveries: number): EntityHandler {
    this.#deps.logger.error(
      { event: LogEvents.entityQuarantined, instanceId: id, deliveries },
      `entity '${id}' ended its worker ${deliveries} times: its pending operations fail`,
    );
    const message =
      `The entity '${name}' ended its worker process ${deliveries} times while running these operations (a crash, ` +
      `process.exit, a kill or a recycle each time): quarantined after maxDeliveryCount ` +
      `(${this.#deps.maxDeliveryCount}) deliveries, they are not run.`;
    return () => {
      const error = new Error(message);
      error.name = 'PoisonMessageException';
      throw error;
    };
  }
}
