// An in-memory TaskHub whose client keeps instances in a map, so the HTTP layer's routes, status codes and "a rejected
// request writes nothing" can be tested without a store or a worker. Every write is recorded in `writes`.
import type {
  DurableClient,
  DurableOrchestrationStatus,
  OrchestrationFilter,
  StartNewOptions,
} from '../../src/client/types.js';
import { TaskhubError } from '../../src/core/errors.js';
import { isTerminal, type RuntimeStatus } from '../../src/core/history.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import type { TaskHub } from '../../src/hub-types.js';
import type { Store } from '../../src/store/store.js';

export interface FakeInstance {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input?: unknown;
  output?: unknown;
  createdTime: Date;
}

export interface FakeHub extends TaskHub {
  readonly instances: Map<string, FakeInstance>;
  readonly writes: string[];
}

export function fakeHub(orchestrations: readonly string[] = ['Hello']): FakeHub {
  const instances = new Map<string, FakeInstance>();
  const writes: string[] = [];
  let counter = 0;
  const find = (id: string): FakeInstance => {
    const instance = instances.get(id);
    if (!instance) throw new TaskhubError('INSTANCE_NOT_FOUND', `No instance with ID '${id}' found.`);
    return instance;
  };
  const live = (id: string): FakeInstance => {
    const instance = find(id);
    if (isTerminal(instance.runtimeStatus)) {
      throw new TaskhubError('INSTANCE_FINISHED', `Instance '${id}' is ${instance.runtimeStatus}.`);
    }
    return instance;
  };
  const status = (i: FakeInstance, showInput = true): DurableOrchestrationStatus => ({
    name: i.name,
    instanceId: i.instanceId,
    createdTime: i.createdTime,
    lastUpdatedTime: i.createdTime,
    input: showInput ? (i.input ?? null) : null,
    output: i.output ?? null,
    runtimeStatus: i.runtimeStatus,
    customStatus: null,
  });
  const matches = (i: FakeInstance, f: OrchestrationFilter): boolean =>
    (!f.runtimeStatus || f.runtimeStatus.includes(i.runtimeStatus)) &&
    (!f.instanceIdPrefix || i.instanceId.startsWith(f.instanceIdPrefix)) &&
    (!f.createdTimeFrom || i.createdTime >= f.createdTimeFrom) &&
    (!f.createdTimeTo || i.createdTime <= f.createdTimeTo);

  const client = {
    taskHubName: 'FakeHub',
    startNew(name: string, options?: StartNewOptions): Promise<string> {
      if (!orchestrations.some((o) => o.toLowerCase() === name.toLowerCase())) {
        throw new TaskhubError('UNKNOWN_FUNCTION', `The function '${name}' doesn't exist.`);
      }
      const id = options?.instanceId ?? `id${++counter}`;
      const existing = instances.get(id);
      if (existing && !isTerminal(existing.runtimeStatus)) {
        throw new TaskhubError('INSTANCE_EXISTS', `An instance with ID '${id}' is ${existing.runtimeStatus}.`);
      }
      writes.push(`start ${id}`);
      instances.set(id, {
        name,
        instanceId: id,
        runtimeStatus: 'Pending',
        input: options?.input,
        createdTime: new Date(),
      });
      return Promise.resolve(id);
    },
    getStatus(id: string, options?: { showInput?: boolean }) {
      return Promise.resolve(status(find(id), options?.showInput ?? true));
    },
    listInstances(filter: OrchestrationFilter) {
      const all = [...instances.values()].filter((i) => matches(i, filter));
      const start = Number(filter.continuationToken ?? 0);
      const size = filter.pageSize ?? 100;
      const page = all.slice(start, start + size);
      const next = start + size < all.length ? String(start + size) : undefined;
      return Promise.resolve({
        instances: page.map((i) => status(i, filter.showInput ?? true)),
        continuationToken: next,
      });
    },
    raiseEvent(id: string, eventName: string, data: unknown) {
      live(id);
      writes.push(`raise ${id} ${eventName} ${JSON.stringify(data)}`);
      return Promise.resolve();
    },
    terminate(id: string, reason?: string) {
      live(id).runtimeStatus = 'Terminated';
      writes.push(`terminate ${id} ${reason}`);
      return Promise.resolve();
    },
    suspend(id: string) {
      live(id).runtimeStatus = 'Suspended';
      writes.push(`suspend ${id}`);
      return Promise.resolve();
    },
    resume(id: string) {
      live(id).runtimeStatus = 'Running';
      writes.push(`resume ${id}`);
      return Promise.resolve();
    },
    rewind(id: string) {
      const i = find(id);
      if (i.runtimeStatus !== 'Failed') throw new TaskhubError('INSTANCE_FINISHED', 'Only Failed instances rewind.');
      writes.push(`rewind ${id}`);
      return Promise.resolve();
    },
    async restart(id: string, newId = true) {
      const i = find(id);
      return client.startNew(i.name, { instanceId: newId ? undefined : id, input: i.input });
    },
    purgeInstanceHistory(id: string) {
      const i = instances.get(id);
      if (!i || !isTerminal(i.runtimeStatus)) return Promise.resolve({ instancesDeleted: 0 });
      instances.delete(id);
      writes.push(`purge ${id}`);
      return Promise.resolve({ instancesDeleted: 1 });
    },
    purgeInstanceHistoryBy(filter: OrchestrationFilter) {
      let n = 0;
      for (const i of [...instances.values()]) {
        if (isTerminal(i.runtimeStatus) && matches(i, filter)) {
          instances.delete(i.instanceId);
          n++;
        }
      }
      if (n > 0) writes.push(`purge ${n}`);
      return Promise.resolve({ instancesDeleted: n });
    },
    waitForCompletion(id: string) {
      const i = find(id);
      if (isTerminal(i.runtimeStatus)) return Promise.resolve(status(i));
      return Promise.reject(new TaskhubError('TIMEOUT', 'timed out'));
    },
  };
  return {
    name: 'FakeHub',
    store: {} as Store,
    registry: new FunctionRegistry(),
    client: client as unknown as DurableClient,
    instances,
    writes,
    start: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
