// Versioning as an app sees it, on a real SQLite task hub in this process: the version an instance gets at start,
// context.df.version, sub-orchestrations of a chosen version, the status and the list, and the two failure
// strategies (an instance of a version the app does not run fails, or waits for a worker that runs it).
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { toStatusJson } from '../../src/client/status-view.js';
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import type { VersioningOptions } from '../../src/core/versioning.js';
import { openTaskHub } from '../../src/hub.js';
import { until } from '../until.js';

type Hub = Awaited<ReturnType<typeof openTaskHub>>;
const opened: Hub[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const hub of opened.splice(0)) await hub.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-versioning-'));
  dirs.push(dir);
  return join(dir, 'hub.db');
}

/** Opens and starts a hub on `file` whose warnings land in `warnings` (one JSON object each). */
async function open(
  file: string,
  versioning: VersioningOptions,
  register: (r: FunctionRegistry) => void,
  warnings: Record<string, unknown>[] = [],
): Promise<Hub> {
  const registry = new FunctionRegistry();
  registry.versioning = versioning;
  register(registry);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) warnings.push(JSON.parse(line) as never);
      done();
    },
  });
  const hub = await openTaskHub({
    store: file,
    registry,
    worker: { pollIntervalMs: 20 },
    logger: pino({ level: 'warn' }, sink),
  });
  opened.push(hub);
  await hub.start();
  return hub;
}

function* reportsVersion(ctx: OrchestrationContext): Generator<never, unknown> {
  return { version: ctx.df.version ?? null, input: ctx.df.getInput() };
}

describe('the version of an instance', () => {
  it('comes from startNew, else defaultVersion; context.df.version, the status and the list show it', async () => {
    const hub = await open(newFile(), { defaultVersion: '1.0', versionMatchStrategy: 'None' }, (r) =>
      r.registerOrchestration('Report', reportsVersion),
    );
    await hub.client.startNew('Report', { instanceId: 'chosen', input: 1, version: '2.5' });
    await hub.client.startNew('Report', { instanceId: 'default', input: 2 });
    const chosen = await hub.client.waitForCompletion('chosen');
    expect(chosen.output).toEqual({ version: '2.5', input: 1 });
    expect(chosen.version).toBe('2.5');
    expect(toStatusJson(chosen)).toMatchObject({ runtimeStatus: 'Completed', version: '2.5' });
    expect((await hub.client.waitForCompletion('default')).output).toEqual({ version: '1.0', input: 2 });
    // A restart keeps the version: it runs the same code again.
    const again = await hub.client.restart('chosen');
    expect((await hub.client.waitForCompletion(again)).output).toEqual({ version: '2.5', input: 1 });
    const listed = await hub.client.getStatusBy({ version: '2.5' });
    expect(listed.map((s) => s.instanceId).sort()).toEqual(['chosen', again].sort());
    await expect(hub.client.startNew('Report', { version: 2 as never })).rejects.toThrow(
      "startNew's version must be a string",
    );
  });

  it('has none without startNew version or defaultVersion (status JSON leaves the field out)', async () => {
    const hub = await open(newFile(), {}, (r) => r.registerOrchestration('Report', reportsVersion));
    await hub.client.startNew('Report', { instanceId: 'plain' });
    const status = await hub.client.waitForCompletion('plain');
    expect(status.output).toEqual({ version: null });
    expect('version' in toStatusJson(status)).toBe(false);
  });

  it('side by side: new instances run the newest version, sub-orchestrations the version asked for', async () => {
    const hub = await open(newFile(), {}, (r) => {
      r.registerOrchestration(
        'Child',
        function* () {
          return 'child 1.0';
        },
        '1.0',
      );
      r.registerOrchestration(
        'Child',
        function* () {
          return 'child 2.0';
        },
        '2.0',
      );
      r.registerOrchestration('Parent', function* (ctx: OrchestrationContext) {
        const pinned: unknown = yield ctx.df.callSubOrchestrator('Child', undefined, 'pinned', '1.0');
        const newest: unknown = yield ctx.df.callSubOrchestrator('Child', undefined, 'newest');
        return [pinned, newest];
      });
    });
    await hub.client.startNew('Parent', { instanceId: 'parent' });
    expect((await hub.client.waitForCompletion('parent')).output).toEqual(['child 1.0', 'child 2.0']);
    expect((await hub.client.getStatus('pinned')).version).toBe('1.0');
    expect((await hub.client.getStatus('newest')).version).toBe('2.0');
    const history = await hub.store.getHistory('parent');
    expect(history.filter((e) => e.eventType === 'SubOrchestrationInstanceCreated')).toMatchObject([
      { instanceId: 'pinned', version: '1.0' },
      { instanceId: 'newest' },
    ]);
  });

  it('continue-as-new keeps the version, so the next execution runs on the same code', async () => {
    const hub = await open(newFile(), {}, (r) => {
      r.registerOrchestration(
        'Loop',
        function* (ctx: OrchestrationContext) {
          const round = ctx.df.getInput<number>();
          if (round < 2) ctx.df.continueAsNew(round + 1);
          return { code: '1.0', version: ctx.df.version, round };
        },
        '1.0',
      );
      r.registerOrchestration(
        'Loop',
        function* (ctx: OrchestrationContext) {
          return { code: '2.0', version: ctx.df.version, round: ctx.df.getInput<number>() };
        },
        '2.0',
      );
    });
    await hub.client.startNew('Loop', { instanceId: 'loop', input: 0, version: '1.0' });
    const done = await hub.client.waitForCompletion('loop');
    expect(done.output).toEqual({ code: '1.0', version: '1.0', round: 2 });
    expect(done.version).toBe('1.0');
  });
});

describe('an instance of a version this app does not run', () => {
  const strict = { defaultVersion: '1.0', versionMatchStrategy: 'Strict' } as const;

  it('ends Failed with versionFailureStrategy Fail, saying why', async () => {
    const warnings: Record<string, unknown>[] = [];
    const hub = await open(
      newFile(),
      { ...strict, versionFailureStrategy: 'Fail' },
      (r) => r.registerOrchestration('Report', reportsVersion),
      warnings,
    );
    await hub.client.startNew('Report', { instanceId: 'too-new', version: '2.0' });
    const status = await hub.client.waitForCompletion('too-new');
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.failureDetails).toMatchObject({
      errorType: 'VersionMismatch',
      errorMessage:
        "The orchestration 'Report' was started with version '2.0', which this app does not run: it runs only " +
        "defaultVersion '1.0' (Strict).",
    });
    expect(warnings.some((w) => w.event === 'orchestration.version-failed')).toBe(true);
  });

  it('waits, Pending, with Reject (said once), and runs once a worker that has its version starts', async () => {
    const file = newFile();
    const warnings: Record<string, unknown>[] = [];
    const old = await open(file, strict, (r) => r.registerOrchestration('Report', reportsVersion), warnings);
    await old.client.startNew('Report', { instanceId: 'future-1', version: '2.0' });
    await old.client.startNew('Report', { instanceId: 'future-2', version: '2.0' });
    // Stored after them (not started in memory): once it completes, the worker's claim went past the two waiting ones.
    const start = { eventType: 'ExecutionStarted', eventId: -1, timestamp: new Date().toISOString() } as const;
    const current = { instanceId: 'current', executionId: 'current-1', name: 'Report' };
    await old.store.createInstance({ ...current, startEvent: { ...start, ...current, version: '1.0' } });
    await until(async () => (await old.store.getInstance('current'))?.runtimeStatus === 'Completed', {
      what: 'the 1.0 instance stored after them to complete',
    });
    for (const id of ['future-1', 'future-2']) {
      const status = await old.client.getStatus(id);
      expect(status).toMatchObject({ runtimeStatus: 'Pending', version: '2.0' });
    }
    const notices = warnings.filter((w) => w.event === 'orchestration.version-waiting');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ instanceId: 'future-1', name: 'Report', version: '2.0' });
    expect(String(notices[0]!.msg)).toContain("Instance 'future-1' waits, Pending, for a worker that runs its version");

    // The new deployment joins on the same file: the waiting instances run there, on 2.0.
    const next = await open(file, { defaultVersion: '2.0', versionMatchStrategy: 'Strict' }, (r) =>
      r.registerOrchestration('Report', reportsVersion),
    );
    for (const id of ['future-1', 'future-2']) {
      expect((await next.client.waitForCompletion(id)).output).toEqual({ version: '2.0' });
    }
    expect(warnings.some((w) => w.event === 'orchestration.version-rejected')).toBe(false);
  });
});
