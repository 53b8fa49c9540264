// The TaskHubSidecarService handlers: the work-item stream and completions go to the RemoteWorkDispatcher, instance
// management goes straight to the task hub's store with the same rules as the DurableClient (and the same store
// rows, so the HTTP API, CLI and dashboard see the same instances). RPCs Taskhub does not serve answer UNIMPLEMENTED.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { CompletionWaiter } from '../client/completion-waiter.js';
import { validateInstanceId } from '../client/instance-id.js';
import {
  ENTITY_REQUEST_EVENT,
  isEntityInstanceId,
  parseEntityRecord,
  type EntityRequest,
} from '../core/entity-state.js';
import { cleanEntityPage } from '../retention/entity-cleanup.js';
import { isTaskhubError, TaskhubError } from '../core/errors.js';
import { isTerminal, TERMINAL_STATUSES, type HistoryEvent, type RuntimeStatus } from '../core/history.js';
import type { Logger } from '../log.js';
import { storeFailureKind } from '../store/store-failure.js';
import type { InstanceRecord, Store } from '../store/store.js';
import { fromPbStatus, fromTimestamp, str, toOrchestrationState, unwrap } from './convert.js';
import type * as pb from './proto-types.js';
import {
  createInstance,
  entityMetadata,
  normalizeEntityId,
  requireInstance,
  requireUnfinished,
  send,
  settle,
  streamHistory,
  subOrchestrationTree,
  waitFor,
} from './instance-ops.js';
import { RemoteWorkDispatcher, WorkItemError } from './work-dispatcher.js';

export interface SidecarServiceOptions {
  readonly store: Store;
  readonly logger: Logger;
  readonly dispatcher: RemoteWorkDispatcher;
  /** Wakes the end of WaitForInstanceCompletion at once for executions this process ends. */
  readonly waiter: CompletionWaiter;
  /** Called after every write a worker must act on (a start, an event, a termination ...). */
  readonly onClientWrite?: () => void;
  /** How often waits read the store for work finished elsewhere (default 200 ms). */
  readonly waitPollMs?: number;
  /** False: GetWorkItems is refused (another worker runs this hub's code). */
  readonly workItems: boolean;
  /** When given, StartInstance refuses names it returns false for. */
  readonly knownOrchestrations?: (name: string) => boolean;
}

type Unary<Req, Res> = (request: Req, call: grpc.ServerUnaryCall<unknown, unknown>) => Promise<Res>;

const DEFAULT_WORK_ITEMS = 100;
const REWIND_SETTLE_MS = 10_000;
/** Entities one CleanEntityStorage call looks at; the SDK calls again with the continuation token. */
const CLEAN_PAGE_SIZE = 100;

/** Every RPC of the .proto's service, implemented or answering UNIMPLEMENTED with the reason. */
export function sidecarHandlers(
  definition: grpc.ServiceDefinition,
  options: SidecarServiceOptions,
): grpc.UntypedServiceImplementation {
  const { store, dispatcher, logger } = options;
  const written = (): void => {
    dispatcher.notify();
    options.onClientWrite?.();
  };

  const unary: Record<string, Unary<never, unknown>> = {
    Hello: () => Promise.resolve({}),

    StartInstance: async (req: pb.CreateInstanceRequest) => {
      const instanceId = req.instanceId || randomUUID().replaceAll('-', '');
      validateInstanceId(instanceId);
      if (!req.name) throw new TaskhubError('INVALID_ARGUMENT', 'StartInstance needs the orchestration name.');
      if (options.knownOrchestrations && !options.knownOrchestrations(req.name)) {
        throw new TaskhubError(
          'UNKNOWN_FUNCTION',
          `No orchestrator function named '${req.name}' is registered in the app this host serves.`,
        );
      }
      const policy = req.orchestrationIdReusePolicy?.replaceableStatus ?? [];
      const replaceable: readonly RuntimeStatus[] =
        policy.length > 0 ? policy.map((s) => fromPbStatus(s)) : TERMINAL_STATUSES;
      await createInstance(store, {
        instanceId,
        name: req.name,
        input: unwrap(req.input),
        version: unwrap(req.version),
        executionId: unwrap(req.executionId),
        startAt: fromTimestamp(req.scheduledStartTimestamp),
        replaceable,
        tags: req.tags ?? undefined,
      });
      written();
      return { instanceId };
    },

    GetInstance: async (req: pb.GetInstanceRequest): Promise<pb.GetInstanceResponse> => {
      const record = await store.getInstance(req.instanceId);
      return record
        ? { exists: true, orchestrationState: toOrchestrationState(record, req.getInputsAndOutputs) }
        : { exists: false, orchestrationState: null };
    },

    RaiseEvent: async (req: { instanceId: string; name: string; input?: pb.Maybe<pb.StringValue> }) => {
      await requireUnfinished(store, req.instanceId, `raise event '${req.name}' for`);
      const input = unwrap(req.input);
      await send(store, req.instanceId, {
        eventType: 'EventRaised',
        eventId: -1,
        timestamp: new Date().toISOString(),
        name: req.name,
        ...(input === undefined ? {} : { input }),
      });
      written();
      return {};
    },

    // recursive: the running sub-orchestrations (at any depth) are terminated too, with the same output.
    TerminateInstance: async (req: { instanceId: string; output?: pb.Maybe<pb.StringValue>; recursive: boolean }) => {
      await requireUnfinished(store, req.instanceId, 'terminate');
      const input = unwrap(req.output);
      const terminated: HistoryEvent = {
        eventType: 'ExecutionTerminated',
        eventId: -1,
        timestamp: new Date().toISOString(),
        ...(input === undefined ? {} : { input }),
      };
      await send(store, req.instanceId, terminated);
      if (req.recursive) {
        for (const child of await subOrchestrationTree(store, req.instanceId)) {
          const record = await store.getInstance(child);
          if (record && !isTerminal(record.runtimeStatus))
            await store.enqueueMessages([{ instanceId: child, event: terminated }]);
        }
      }
      written();
      return {};
    },

    SuspendInstance: (req: { instanceId: string; reason?: pb.Maybe<pb.StringValue> }) =>
      control(req.instanceId, 'ExecutionSuspended', 'suspend', unwrap(req.reason)),

    ResumeInstance: (req: { instanceId: string; reason?: pb.Maybe<pb.StringValue> }) =>
      control(req.instanceId, 'ExecutionResumed', 'resume', unwrap(req.reason)),

    RewindInstance: async (req: { instanceId: string; reason?: pb.Maybe<pb.StringValue> }) => {
      const record = await requireInstance(store, req.instanceId);
      if (record.runtimeStatus !== 'Failed') {
        throw new TaskhubError(
          'INSTANCE_FINISHED',
          `The rewind operation is only supported on failed orchestration instances. Instance '${req.instanceId}' is ${record.runtimeStatus}.`,
        );
      }
      const reason = unwrap(req.reason);
      await send(store, req.instanceId, {
        eventType: 'ExecutionRewound',
        eventId: -1,
        timestamp: new Date().toISOString(),
        ...(reason === undefined ? {} : { reason }),
      });
      written();
      // Answered once the instance runs again (a client's next wait must not see the old failure), or after 10 s.
      await settle(options, req.instanceId, (r) => r.runtimeStatus !== 'Failed', REWIND_SETTLE_MS);
      return {};
    },

    RestartInstance: async (req: { instanceId: string; restartWithNewInstanceId: boolean }) => {
      const record = await requireInstance(store, req.instanceId);
      // A running instance may be restarted under a new id (a copy); its own id only once it has finished.
      if (!req.restartWithNewInstanceId && !isTerminal(record.runtimeStatus)) {
        throw new TaskhubError(
          'INSTANCE_FINISHED',
          `Instance '${req.instanceId}' is ${record.runtimeStatus}: only a finished instance can be restarted with its own id.`,
        );
      }
      const instanceId = req.restartWithNewInstanceId ? randomUUID().replaceAll('-', '') : req.instanceId;
      await createInstance(store, {
        instanceId,
        name: record.name,
        input: record.input,
        executionId: undefined,
        startAt: undefined,
        replaceable: TERMINAL_STATUSES,
        tags: record.tags,
      });
      written();
      return { instanceId };
    },

    WaitForInstanceStart: (req: pb.GetInstanceRequest, call) =>
      waitFor(req, (r) => r.runtimeStatus !== 'Pending', options, call),

    WaitForInstanceCompletion: (req: pb.GetInstanceRequest, call) =>
      waitFor(req, (r) => isTerminal(r.runtimeStatus), options, call),

    QueryInstances: async (req: { query?: pb.Maybe<pb.InstanceQuery> }) => {
      const q = req.query;
      const from = fromTimestamp(q?.createdTimeFrom);
      const to = fromTimestamp(q?.createdTimeTo);
      const prefix = unwrap(q?.instanceIdPrefix);
      const token = unwrap(q?.continuationToken);
      const page = await store.queryInstances({
        ...(from === undefined ? {} : { createdTimeFrom: from }),
        ...(to === undefined ? {} : { createdTimeTo: to }),
        ...(q && q.runtimeStatus.length > 0 ? { runtimeStatus: q.runtimeStatus.map((s) => fromPbStatus(s)) } : {}),
        ...(prefix ? { instanceIdPrefix: prefix } : {}),
        ...(token ? { continuationToken: token } : {}),
        pageSize: q && q.maxInstanceCount > 0 ? q.maxInstanceCount : 100,
        showInput: q?.fetchInputsAndOutputs ?? false,
      });
      return {
        orchestrationState: page.instances
          .filter((r) => !isEntityInstanceId(r.instanceId))
          .map((r) => toOrchestrationState(r, q?.fetchInputsAndOutputs ?? false)),
        continuationToken: str(page.continuationToken),
      };
    },

    // Instance ids only, newest store order, paged by `lastInstanceKey` (the store's continuation token). A
    // completed-time filter keeps finished instances whose last update (their completion) falls in the range.
    ListInstanceIds: async (req: {
      runtimeStatus: number[];
      completedTimeFrom?: pb.Maybe<pb.Timestamp>;
      completedTimeTo?: pb.Maybe<pb.Timestamp>;
      pageSize: number;
      lastInstanceKey?: pb.Maybe<pb.StringValue>;
    }) => {
      const pageSize = req.pageSize > 0 ? Math.min(req.pageSize, 1000) : 100;
      const from = fromTimestamp(req.completedTimeFrom);
      const to = fromTimestamp(req.completedTimeTo);
      const statuses = req.runtimeStatus.map((s) => fromPbStatus(s));
      const keep = (r: InstanceRecord): boolean =>
        !isEntityInstanceId(r.instanceId) &&
        (from === undefined && to === undefined
          ? true
          : isTerminal(r.runtimeStatus) &&
            (from === undefined || r.lastUpdatedTime >= from) &&
            (to === undefined || r.lastUpdatedTime <= to));
      const instanceIds: string[] = [];
      let token = unwrap(req.lastInstanceKey) || undefined;
      // Each store page asks for no more than the ids still missing, so the key never skips an instance.
      do {
        const page = await store.queryInstances({
          ...(statuses.length > 0 ? { runtimeStatus: statuses } : {}),
          ...(token ? { continuationToken: token } : {}),
          pageSize: pageSize - instanceIds.length,
          showInput: false,
        });
        instanceIds.push(...page.instances.filter(keep).map((r) => r.instanceId));
        token = page.continuationToken;
      } while (token && instanceIds.length < pageSize);
      return { instanceIds, lastInstanceKey: str(token) };
    },

    // recursive: the purged instances' sub-orchestrations (at any depth) are purged too, if they have finished.
    PurgeInstances: async (req: pb.PurgeInstancesRequest) => {
      let deleted = 0;
      const tree = async (ids: readonly string[]): Promise<string[]> =>
        req.recursive ? (await Promise.all(ids.map((id) => subOrchestrationTree(store, id)))).flat() : [];
      let children: string[] = [];
      if (req.request === 'instanceId' && req.instanceId) {
        children = await tree([req.instanceId]);
        deleted = await store.purgeInstance(req.instanceId);
      } else if (req.request === 'instanceBatch' && req.instanceBatch) {
        children = await tree(req.instanceBatch.instanceIds);
        for (const id of req.instanceBatch.instanceIds) deleted += await store.purgeInstance(id);
      } else if (req.request === 'purgeInstanceFilter' && req.purgeInstanceFilter) {
        const f = req.purgeInstanceFilter;
        const from = fromTimestamp(f.createdTimeFrom);
        const to = fromTimestamp(f.createdTimeTo);
        const filter = {
          ...(from === undefined ? {} : { createdTimeFrom: from }),
          ...(to === undefined ? {} : { createdTimeTo: to }),
          runtimeStatus: f.runtimeStatus.length > 0 ? f.runtimeStatus.map((s) => fromPbStatus(s)) : TERMINAL_STATUSES,
        };
        if (req.recursive) {
          const matched: string[] = [];
          let token: string | undefined;
          do {
            const page = await store.queryInstances({
              ...filter,
              pageSize: 1000,
              showInput: false,
              ...(token ? { continuationToken: token } : {}),
            });
            matched.push(...page.instances.map((r) => r.instanceId));
            token = page.continuationToken;
          } while (token);
          children = await tree(matched);
        }
        deleted = await store.purgeInstances(filter);
      } else {
        throw new TaskhubError(
          'INVALID_ARGUMENT',
          'PurgeInstances needs an instance id, an instance batch or a filter.',
        );
      }
      for (const child of children) deleted += await store.purgeInstance(child);
      return { deletedInstanceCount: deleted, isComplete: { value: true } };
    },

    CompleteOrchestratorTask: async (req: pb.OrchestratorResponse) => {
      await dispatcher.completeOrchestration(req);
      return {};
    },
    CompleteActivityTask: async (req: pb.ActivityResponse) => {
      await dispatcher.completeActivity(req);
      return {};
    },
    CompleteEntityTask: async (req: pb.EntityBatchResult) => {
      await dispatcher.completeEntity(req);
      return {};
    },
    AbandonTaskOrchestratorWorkItem: (req: pb.CompletionTokenRequest) => abandon(req),
    AbandonTaskEntityWorkItem: (req: pb.CompletionTokenRequest) => abandon(req),
    AbandonTaskActivityWorkItem: (req: pb.CompletionTokenRequest) => abandon(req),

    SignalEntity: async (req: pb.SignalEntityRequest) => {
      if (!isEntityInstanceId(req.instanceId)) {
        throw new TaskhubError('INVALID_ARGUMENT', `'${req.instanceId}' is not an entity instance id ('@name@key').`);
      }
      const input = unwrap(req.input);
      const request: EntityRequest = {
        id: req.requestId || randomUUID(),
        op: req.name,
        signal: true,
        ...(input === undefined ? {} : { input }),
      };
      const at = fromTimestamp(req.scheduledTime);
      await store.enqueueMessages([
        {
          instanceId: normalizeEntityId(req.instanceId),
          event: {
            eventType: 'EventRaised',
            eventId: -1,
            timestamp: new Date().toISOString(),
            name: ENTITY_REQUEST_EVENT,
            input: JSON.stringify(request),
          },
          ...(at === undefined ? {} : { visibleAt: at }),
        },
      ]);
      written();
      return {};
    },

    GetEntity: async (req: { instanceId: string; includeState: boolean }) => {
      const record = await store.getInstance(normalizeEntityId(req.instanceId));
      const entity = parseEntityRecord(record?.entityState);
      if (!record || !entity.exists) return { exists: false, entity: null };
      return { exists: true, entity: entityMetadata(record, req.includeState) };
    },

    QueryEntities: async (req: {
      query?: pb.Maybe<{
        instanceIdStartsWith?: pb.Maybe<pb.StringValue>;
        includeState: boolean;
        pageSize?: pb.Maybe<pb.Int32Value>;
        continuationToken?: pb.Maybe<pb.StringValue>;
      }>;
    }) => {
      const q = req.query;
      const startsWith = unwrap(q?.instanceIdStartsWith);
      const token = unwrap(q?.continuationToken);
      const page = await store.queryInstances({
        instanceIdPrefix: startsWith ? normalizeEntityId(startsWith) : '@',
        showInput: false,
        ...(q?.pageSize ? { pageSize: q.pageSize.value } : {}),
        ...(token ? { continuationToken: token } : {}),
      });
      const entities = page.instances
        .filter((r) => isEntityInstanceId(r.instanceId) && parseEntityRecord(r.entityState).exists)
        .map((r) => entityMetadata(r, q?.includeState ?? false));
      return { entities, continuationToken: str(page.continuationToken) };
    },

    // Durable Functions' cleanEntityStorage, one page of entities per call (the SDK repeats it while a token comes
    // back): see retention/entity-cleanup.ts.
    CleanEntityStorage: async (req: pb.CleanEntityStorageRequest) => {
      const token = unwrap(req.continuationToken);
      const cleaned = await cleanEntityPage(store, {
        removeEmptyEntities: req.removeEmptyEntities,
        releaseOrphanedLocks: req.releaseOrphanedLocks,
        pageSize: CLEAN_PAGE_SIZE,
        ...(token ? { continuationToken: token } : {}),
      });
      if (cleaned.orphanedLocksReleased > 0) written();
      return {
        continuationToken: str(cleaned.continuationToken),
        emptyEntitiesRemoved: cleaned.emptyEntitiesRemoved,
        orphanedLocksReleased: cleaned.orphanedLocksReleased,
      };
    },
  };

  async function control(
    instanceId: string,
    eventType: 'ExecutionSuspended' | 'ExecutionResumed',
    verb: string,
    reason: string | undefined,
  ): Promise<object> {
    await requireUnfinished(store, instanceId, verb);
    await send(store, instanceId, {
      eventType,
      eventId: -1,
      timestamp: new Date().toISOString(),
      ...(reason === undefined ? {} : { reason }),
    });
    written();
    return {};
  }

  function abandon(req: pb.CompletionTokenRequest): Promise<object> {
    dispatcher.abandon(req.completionToken);
    return Promise.resolve({});
  }

  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [key, method] of Object.entries(definition)) {
    const name = method.originalName ?? key;
    const rpc = key;
    if (rpc === 'GetWorkItems' && !options.workItems) {
      const message =
        "This task hub's orchestrations and activities run in the app served by `taskhub start`, so it hands no work " +
        'to SDK workers: connect SDK workers to `taskhub serve-grpc` on a hub of their own (see docs/grpc.md).';
      implementation[key] = (call: grpc.ServerWritableStream<unknown, unknown>) =>
        call.emit(
          'error',
          Object.assign(new Error(message), { code: grpc.status.FAILED_PRECONDITION, details: message }),
        );
    } else if (rpc === 'GetWorkItems') {
      implementation[key] = (call: grpc.ServerWritableStream<pb.GetWorkItemsRequest, pb.WorkItem>) => {
        const req = call.request;
        const remove = dispatcher.addStream({
          write: (item) => call.write(item),
          end: () => call.end(),
          maxOrchestrations: positive(req.maxConcurrentOrchestrationWorkItems) ?? DEFAULT_WORK_ITEMS,
          maxActivities: positive(req.maxConcurrentActivityWorkItems) ?? DEFAULT_WORK_ITEMS,
          maxEntities: positive(req.maxConcurrentEntityWorkItems) ?? DEFAULT_WORK_ITEMS,
        });
        const done = (): void => remove();
        call.on('cancelled', done);
        call.on('close', done);
        call.on('error', done);
      };
    } else if (rpc === 'StreamInstanceHistory') {
      implementation[key] = (call: grpc.ServerWritableStream<{ instanceId: string }, unknown>) => {
        streamHistory(store, call).catch((err: unknown) => call.emit('error', toServiceError(err, logger)));
      };
    } else if (unary[rpc]) {
      const handler = unary[rpc] as Unary<unknown, unknown>;
      implementation[key] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        handler(call.request, call).then(
          (res) => callback(null, res),
          (err: unknown) => callback(toServiceError(err, logger)),
        );
      };
    } else {
      const message = `Taskhub's gRPC endpoint does not implement ${name}: see docs/grpc.md for what it serves.`;
      implementation[key] = method.responseStream
        ? (call: grpc.ServerWritableStream<unknown, unknown>) =>
            call.emit('error', Object.assign(new Error(message), { code: grpc.status.UNIMPLEMENTED, details: message }))
        : (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
            callback({ code: grpc.status.UNIMPLEMENTED, details: message, name: 'Error', message });
    }
  }
  return implementation;
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}

/** Taskhub's errors as gRPC statuses: the code says what kind, the details say what happened and what to do. */
export function toServiceError(err: unknown, logger: Logger): grpc.ServiceError {
  const make = (code: grpc.status, details: string): grpc.ServiceError =>
    Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
  if (err instanceof WorkItemError) return make(grpc.status[err.code], err.message);
  if (err instanceof Error && 'grpcCode' in err && err.grpcCode === grpc.status.DEADLINE_EXCEEDED) {
    return make(grpc.status.DEADLINE_EXCEEDED, 'The wait ended at its deadline before the instance got there.');
  }
  if (isTaskhubError(err)) {
    const codes: Partial<Record<string, grpc.status>> = {
      INSTANCE_NOT_FOUND: grpc.status.NOT_FOUND,
      UNKNOWN_FUNCTION: grpc.status.NOT_FOUND,
      INSTANCE_EXISTS: grpc.status.ALREADY_EXISTS,
      INSTANCE_FINISHED: grpc.status.FAILED_PRECONDITION,
      INVALID_INSTANCE_ID: grpc.status.INVALID_ARGUMENT,
      INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
      NOT_SUPPORTED: grpc.status.UNIMPLEMENTED,
      TIMEOUT: grpc.status.DEADLINE_EXCEEDED,
      PAYLOAD_TOO_LARGE: grpc.status.RESOURCE_EXHAUSTED,
      STORE_CLOSED: grpc.status.UNAVAILABLE,
    };
    return make(codes[err.code] ?? grpc.status.FAILED_PRECONDITION, err.message);
  }
  const kind = storeFailureKind(err);
  if (kind === 'full') return make(grpc.status.RESOURCE_EXHAUSTED, 'The task hub store is full; retry later.');
  if (kind !== undefined) return make(grpc.status.UNAVAILABLE, 'The task hub store is unavailable; retry later.');
  if (err instanceof RangeError) return make(grpc.status.INVALID_ARGUMENT, err.message);
  logger.error({ err }, 'grpc.request-failed');
  return make(grpc.status.INTERNAL, 'Taskhub failed to serve this request; see its log.');
}
