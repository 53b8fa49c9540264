// An SDK worker process killed with SIGKILL in the middle of an activity: its GetWorkItems stream closes, Taskhub
// hands the work item back to the hub, another SDK worker process gets it, and the orchestration completes once.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OrchestrationStatus } from '@microsoft/durabletask-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runScript, type ScriptProcess } from '../script-process.js';
import { until } from '../until.js';
import { startHarness, type GrpcHarness } from './harness.js';

const CHILD = path.join(import.meta.dirname, 'sdk-worker-child.ts');
let h: GrpcHarness;
let dir: string;
const children: ScriptProcess[] = [];

beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(path.join(os.tmpdir(), 'taskhub-grpc-kill-'));
});

afterAll(async () => {
  for (const c of children) if (!c.exited()) c.child.kill('SIGKILL');
  await Promise.all(children.map((c) => c.output));
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

const attempts = (): number => readdirSync(dir).filter((f) => f.startsWith('attempt-')).length;

it('redelivers the work of an SDK worker killed mid-activity, and the instance completes once', async () => {
  const first = runScript(CHILD, [h.grpc.address, dir]);
  children.push(first);
  const id = await h.client.scheduleNewOrchestration('slowChain');
  await until(() => attempts() === 1, { what: 'the first worker running the activity' });
  expect(h.grpc.dispatcher.outstanding).toBe(1);

  first.child.kill('SIGKILL');
  await first.output;
  // The stream's end hands the work item back at once (no lease to wait out).
  await until(() => h.grpc.dispatcher.outstanding === 0, { what: 'the killed stream to hand its work back' });

  const second = runScript(CHILD, [h.grpc.address, dir, 'release']);
  children.push(second);
  const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
  expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
  expect(JSON.parse(state?.serializedOutput ?? 'null')).toBe('step done');
  expect(attempts()).toBe(2);

  const history = await h.hub.store.getHistory(id);
  const count = (type: string): number => history.filter((e) => e.eventType === type).length;
  expect(count('TaskScheduled')).toBe(1);
  expect(count('TaskCompleted')).toBe(1);
  expect(count('ExecutionCompleted')).toBe(1);
});
