// An SDK worker process killed with SIGKILL in the middle of an activity: its GetWorkItems stream closes, Taskhub
// hands the work item back to the hub at once, the other SDK worker process gets it, and the orchestration completes
// once. On SQLite and on PostgreSQL.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OrchestrationStatus } from '@microsoft/durabletask-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import type { Store } from '../../src/store/store.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { runScript, type ScriptProcess } from '../script-process.js';
import { until } from '../until.js';
import { startHarness, type GrpcHarness } from './harness.js';

const CHILD = path.join(import.meta.dirname, 'sdk-worker-child.ts');
let pg: PgServer | undefined;

describe.each([
  { kind: 'SQLite', store: (): Promise<Store | undefined> => Promise.resolve(undefined) },
  {
    kind: 'PostgreSQL',
    store: async (): Promise<Store> => {
      pg = await startPgServer();
      return openPostgresStore({ connectionString: pg.connectionString, hubName: 'killed' });
    },
  },
])('an SDK worker killed mid-activity ($kind)', ({ store }) => {
  let h: GrpcHarness;
  let dir: string;
  const children: ScriptProcess[] = [];

  beforeAll(async () => {
    const s = await store();
    h = await startHarness(s ? { store: s } : {});
    dir = mkdtempSync(path.join(os.tmpdir(), 'taskhub-grpc-kill-'));
  });

  afterAll(async () => {
    for (const c of children) if (!c.exited()) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.output));
    await h.close();
    await pg?.stop();
    pg = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const attempts = (): string[] => readdirSync(dir).filter((f) => f.startsWith('attempt-'));

  it('hands its work to another SDK worker, and the instance completes once', async () => {
    const first = runScript(CHILD, [h.grpc.address, dir]);
    children.push(first);
    const id = await h.client.scheduleNewOrchestration('slowChain');
    await until(() => attempts().length === 1, { what: 'the first worker running the activity' });
    expect(attempts()[0]).toContain(`attempt-${String(first.child.pid)}-`);
    expect(h.grpc.dispatcher.outstanding).toBe(1);

    // A second worker starts beside it; the activity is the first one's until that one dies.
    const second = runScript(CHILD, [h.grpc.address, dir, 'release']);
    children.push(second);
    first.child.kill('SIGKILL');
    await first.output;

    const state = await h.client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(state?.serializedOutput ?? 'null')).toBe('step done');
    expect(attempts()).toHaveLength(2);
    expect(attempts().some((f) => f.startsWith(`attempt-${String(second.child.pid)}-`))).toBe(true);

    const history = await h.hub.store.getHistory(id);
    const count = (type: string): number => history.filter((e) => e.eventType === type).length;
    expect(count('TaskScheduled')).toBe(1);
    expect(count('TaskCompleted')).toBe(1);
    expect(count('ExecutionCompleted')).toBe(1);
  });
});
