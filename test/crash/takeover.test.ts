// A local activity whose owner stops renewing its lease while the activity still runs: this process runs it and then
// blocks (as a synchronous loop in app code does); another worker process on the same SQLite file finds the expired
// lock, turns the instance's local work into a work item, runs it and finishes the instance. When this process wakes
// up, its own result of the same activity is dropped (its commit is rejected) and the output stays the other's.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import type { TaskHub } from '../../src/hub-types.js';
import { LogEvents } from '../../src/log.js';
import { until } from '../until.js';
import { blockUntilFinishedElsewhere } from './block-until-finished.js';

const dir = mkdtempSync(join(tmpdir(), 'taskhub-takeover-'));
const file = join(dir, 'hub.db');
let hub: TaskHub;
let other: ChildProcess | undefined;
const events: string[] = [];
let ranHere = 0;

/** The local work the store holds for the instance right now (the row's list), read beside the hub's connection. */
function storedLocalWork(instanceId: string): string | null {
  const db = new Database(file, { readonly: true });
  try {
    const row = db.prepare('SELECT local_work FROM instances WHERE instance_id = ?').get(instanceId) as
      { local_work: string | null } | undefined;
    return row?.local_work ?? null;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  const registry = new FunctionRegistry();
  registry.registerActivity('Block', (input) => {
    ranHere++;
    const instanceId = input as string;
    // The activity runs locally: its commit kept it in the instance row, not as a work item.
    events.push(`local work stored: ${storedLocalWork(instanceId)}`);
    other = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'takeover-child.ts'), file], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    blockUntilFinishedElsewhere(file, instanceId);
    return 'from this worker';
  });
  registry.registerOrchestration('Once', function* (ctx: OrchestrationContext) {
    return yield ctx.df.callActivity('Block', ctx.df.instanceId);
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line) events.push((JSON.parse(line) as { event?: string }).event ?? '');
      }
      done();
    },
  });
  hub = await openTaskHub({
    store: file,
    registry,
    worker: { leaseMs: 300, pollIntervalMs: 20 },
    logger: pino({ level: 'debug' }, sink),
  });
}, 60_000);

afterAll(async () => {
  if (other && other.exitCode === null) {
    const exited = new Promise((resolve) => other?.once('exit', resolve));
    other.kill('SIGTERM');
    await exited;
  }
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('local work taken over', () => {
  it("drops the late result of an owner that lost its lease mid-activity; the other worker's result stands", async () => {
    // Stored before this worker runs, so its first episode is claimed from the store (not a local start).
    await hub.client.startNew('Once', { instanceId: 'once-1' });
    await hub.start();
    // This process ran the activity, blocked past its lease, and then saw its commit rejected.
    await until(() => events.includes(LogEvents.episodeRejected), { what: 'the late local result to be rejected' });
    expect(ranHere).toBe(1);
    expect(events).toContain('local work stored: [{"taskScheduledId":0,"name":"Block","input":"\\"once-1\\""}]');
    const status = await hub.client.getStatus('once-1', { showHistory: true });
    expect(status?.runtimeStatus).toBe('Completed');
    expect(status?.output).toBe('from the other worker');
    const completions = (status?.history ?? []).filter(
      (e) => (e as { EventType?: string }).EventType === 'TaskCompleted',
    );
    expect(completions).toHaveLength(1);
    expect(storedLocalWork('once-1')).toBeNull();
  });
});
