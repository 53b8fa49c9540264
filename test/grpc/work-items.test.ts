// The work-item protocol spoken by hand (a client built from the same .proto, playing an SDK worker): an abandoned
// work item is delivered again under a new completion token, and the old token can no longer complete it, so an
// episode commits once.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sidecarClientConstructor } from '../../src/grpc/proto.js';
import type * as pb from '../../src/grpc/proto-types.js';
import { until } from '../until.js';
import { startHarness, type GrpcHarness } from './harness.js';

type Callback = (err: grpc.ServiceError | null, res?: unknown) => void;
type Raw = grpc.Client &
  Record<string, (req: object, cb: Callback) => void> & {
    GetWorkItems(req: object): grpc.ClientReadableStream<pb.WorkItem>;
  };

let h: GrpcHarness;
let raw: Raw;

beforeAll(async () => {
  h = await startHarness();
  const Client = sidecarClientConstructor();
  raw = new Client(h.grpc.address, grpc.credentials.createInsecure()) as unknown as Raw;
});

afterAll(async () => {
  raw.close();
  await h.close();
});

function call(method: string, request: object): Promise<grpc.ServiceError | null> {
  return new Promise((resolve) => raw[method]!(request, (err) => resolve(err)));
}

it('delivers an abandoned orchestrator work item again, and refuses the stale token', async () => {
  const received: pb.WorkItem[] = [];
  const stream = raw.GetWorkItems({});
  stream.on('data', (item: pb.WorkItem) => received.push(item));
  stream.on('error', () => undefined); // cancelled at the end of the test

  expect(await call('StartInstance', { instanceId: 'by-hand', name: 'Manual', input: { value: '"x"' } })).toBeNull();
  await until(() => received.length === 1, { what: 'the first delivery' });
  const first = received[0]!;
  expect(first.orchestratorRequest?.instanceId).toBe('by-hand');
  expect(first.orchestratorRequest?.newEvents.map((e) => e.eventType)).toEqual([
    'orchestratorStarted',
    'executionStarted',
  ]);

  expect(await call('AbandonTaskOrchestratorWorkItem', { completionToken: first.completionToken })).toBeNull();
  await until(() => received.length === 2, { what: 'the second delivery' });
  const second = received[1]!;
  expect(second.completionToken).not.toBe(first.completionToken);

  const complete = (token: string, result: string): Promise<grpc.ServiceError | null> =>
    call('CompleteOrchestratorTask', {
      instanceId: 'by-hand',
      completionToken: token,
      actions: [
        {
          id: 0,
          completeOrchestration: { orchestrationStatus: 'ORCHESTRATION_STATUS_COMPLETED', result: { value: result } },
        },
      ],
    });
  expect((await complete(first.completionToken, '"stale"'))?.code).toBe(grpc.status.NOT_FOUND);
  expect(await complete(second.completionToken, '"done"')).toBeNull();
  expect((await complete(second.completionToken, '"twice"'))?.code).toBe(grpc.status.NOT_FOUND);

  const record = await h.hub.store.getInstance('by-hand');
  expect(record?.runtimeStatus).toBe('Completed');
  expect(record?.output).toBe('"done"');
  const history = await h.hub.store.getHistory('by-hand');
  expect(history.filter((e) => e.eventType === 'ExecutionCompleted')).toHaveLength(1);
  stream.cancel();
});
