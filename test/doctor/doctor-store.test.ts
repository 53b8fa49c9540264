// `taskhub doctor`'s findings on a real SQLite file and a real PostgreSQL server: every condition written into the
// store the way a crash or neglect leaves it (crashed-hub.ts), each found with its instances and the command that
// fixes it; healthy instances are not reported; and the fixes, applied, make the findings go away.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { EntityId } from '../../src/core/entity-id.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { diagnose } from '../../src/doctor/diagnose.js';
import { exitCodeOf, type DoctorReport, type Finding, type FindingCode } from '../../src/doctor/findings.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import type { Store } from '../../src/store/store.js';
import { counter } from '../entities/counter-entity.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { taskhub } from '../cli/cli-helpers.js';
import { until } from '../until.js';
import { IDS, writeCrashedHub } from './crashed-hub.js';

const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-doctor-'));
let pgServer: PgServer | undefined;
beforeAll(async () => {
  pgServer = await startPgServer();
}, 120_000);
afterAll(async () => {
  await pgServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const logger = createLogger({ level: 'silent' });
const STRICT = { pendingOlderThanMs: 0, waitingOlderThanMs: 0, maxPayloadBytes: 2048 };

function find(report: DoctorReport, code: FindingCode): Finding {
  const finding = report.findings.find((f) => f.code === code);
  if (!finding) throw new Error(`no ${code} in ${report.findings.map((f) => f.code).join(', ')}`);
  return finding;
}

const stores: Record<string, (hub: string) => Store | string> = {
  SQLite: (hub) => path.join(dir, `${hub}.db`),
  PostgreSQL: (hub) => openPostgresStore({ connectionString: pgServer!.connectionString, hubName: hub, poolSize: 4 }),
};

describe.each(Object.keys(stores))('doctor on %s', (kind) => {
  const open = (hubName: string, registry?: FunctionRegistry) =>
    openTaskHub({
      store: stores[kind]!(hubName),
      hubName,
      logger,
      ...(registry ? { registry } : { worker: false }),
    });

  it('finds every condition, names the instances and the fix, and leaves healthy ones out', async () => {
    const hub = await open('Crashed');
    try {
      await writeCrashedHub(hub.store);
      let report: DoctorReport | undefined;
      // The dead worker's lease lasted 1 ms: wait until the store's clock has passed it.
      await until(
        async () => {
          report = await diagnose(hub.store, STRICT);
          return report.findings.some((f) => f.code === 'EXPIRED_LEASES');
        },
        { what: 'the expired lease to be reported' },
      );
      const r = report!;

      const pending = find(r, 'PENDING_TOO_LONG');
      expect(pending.severity).toBe('error');
      expect([...pending.instanceIds].sort()).toEqual([IDS.deadLease, IDS.neverStarted]);
      expect(pending.fix).toContain(`taskhub terminate ${IDS.neverStarted} --reason 'never started'`);

      const stuck = find(r, 'STUCK');
      expect(stuck.severity).toBe('error');
      expect(stuck.instanceIds).toEqual([IDS.stuck]);
      expect(stuck.details[0]).toContain('waits for activity SayHello (#0), which has no work item');
      expect(stuck.fix).toEqual([
        `taskhub terminate ${IDS.stuck} --reason 'stuck: nothing left to wake it' && taskhub restart ${IDS.stuck}`,
      ]);

      const waiting = find(r, 'WAITING_FOR_EVENT');
      expect(waiting.severity).toBe('warning');
      expect(waiting.instanceIds).toEqual([IDS.waiting]);
      expect(waiting.fix).toEqual([`Fill in and run: taskhub raise ${IDS.waiting} '<EventName>' '<json>'`]);

      const leases = find(r, 'EXPIRED_LEASES');
      expect(leases.severity).toBe('warning');
      expect(leases.instanceIds).toEqual([IDS.deadLease]);
      expect(leases.title).toContain('dead-worker');

      const poisoned = find(r, 'DELIVERY_COUNT_EXCEEDED');
      expect(poisoned.instanceIds).toEqual([IDS.poisoned]);
      expect(poisoned.details).toEqual([`activity SayHello #0 of ${IDS.poisoned}: 5 deliveries`]);

      const lock = find(r, 'ENTITY_LOCK_ORPHANED');
      expect(lock.instanceIds).toEqual([IDS.entity]);
      expect(lock.details).toEqual([`${IDS.entity} locked by ${IDS.lockOwner} (purged)`]);
      expect(lock.fix).toEqual([`taskhub raise ${IDS.entity} op '{"id":"${IDS.lockId}","release":true}'`]);

      const oversized = find(r, 'OVERSIZED');
      expect(oversized.instanceIds).toEqual([IDS.big]);
      expect(oversized.details[0]).toMatch(/^big-input \(Pending\): input of 4\.0 KiB$/);

      const size = find(r, 'STORE_SIZE');
      expect(size.severity).toBe('info');
      expect(r.store.kind).toBe(kind === 'SQLite' ? 'sqlite' : 'postgres');
      if (r.store.kind === 'sqlite') expect(r.store.fileBytes).toBeGreaterThan(0);
      else expect(r.store.hubBytes).toBeGreaterThan(0);

      // The healthy instance (a timer due in an hour) is in no finding.
      expect(r.findings.flatMap((f) => f.instanceIds)).not.toContain(IDS.timer);
      expect(r.summary.errors).toBe(4);
      expect(exitCodeOf(r)).toBe(3);

      // With the default thresholds, fresh Pending and waiting instances are not (yet) a problem.
      const relaxed = await diagnose(hub.store);
      const codes = relaxed.findings.map((f) => f.code);
      expect(codes).not.toContain('PENDING_TOO_LONG');
      expect(codes).not.toContain('WAITING_FOR_EVENT');
      expect(codes).not.toContain('OVERSIZED');
      expect(codes).toContain('STUCK');
      // Limits cap the ids listed, never the count.
      const capped = await diagnose(hub.store, { ...STRICT, limit: 1 });
      expect(find(capped, 'PENDING_TOO_LONG')).toMatchObject({ count: 2, instanceIds: [expect.any(String)] });
    } finally {
      await hub.close();
    }
  });

  it('taskhub doctor --store reads the same findings from this store, exit 3', async () => {
    const hub = await open('ByCli');
    await writeCrashedHub(hub.store);
    await hub.close();
    const store = kind === 'SQLite' ? `sqlite:${path.join(dir, 'ByCli.db')}` : pgServer!.connectionString;
    const r = await taskhub(['doctor', '--json', '--store', store, '--hub', 'ByCli'], { cwd: dir });
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report.hubName).toBe('ByCli');
    expect(find(report, 'STUCK').fix).toEqual([
      `taskhub terminate ${IDS.stuck} --reason 'stuck: nothing left to wake it' --store ${store} --hub ByCli && ` +
        `taskhub restart ${IDS.stuck} --store ${store} --hub ByCli`,
    ]);
    expect(report.store.kind).toBe(kind === 'SQLite' ? 'sqlite' : 'postgres');
  });

  it('the fixes it prints work: the stuck instance completes, the orphaned entity lock is released', async () => {
    const writer = await open('Fixes');
    await writeCrashedHub(writer.store);
    await writer.close();

    const registry = new FunctionRegistry();
    registry.registerOrchestration('Greet', function* (context: OrchestrationContext) {
      return yield context.df.callActivity('SayHello', context.df.getInput<string>());
    });
    registry.registerOrchestration('Waits', function* (context: OrchestrationContext) {
      return yield context.df.waitForExternalEvent('Go');
    });
    registry.registerActivity('SayHello', (name: unknown) => `Hello ${String(name)}!`);
    registry.registerEntity('Counter', counter);
    const hub = await open('Fixes', registry);
    try {
      await hub.start();
      const entity = new EntityId('Counter', 'locked');
      // The entity is locked by an owner that is gone: an add waits in its queue.
      await hub.client.signalEntity(entity, 'add', 10);
      const before = await diagnose(hub.store);
      expect(find(before, 'STUCK').instanceIds).toEqual([IDS.stuck]);
      const release = find(before, 'ENTITY_LOCK_ORPHANED').fix[0]!;
      const [, , entityId, eventName, json] = /^taskhub (raise) (\S+) (\S+) '(.*)'$/.exec(release) ?? [];
      expect(entityId).toBe(IDS.entity);

      // What `taskhub raise @counter@locked op '{…}'` does, through the same client call.
      await hub.client.raiseEvent(entityId!, eventName!, JSON.parse(json!) as unknown);
      await until(async () => (await hub.client.readEntityState<number>(entity)).entityState === 11, {
        what: 'the queued add to run once the lock is released',
      });

      // `taskhub terminate stuck-greet … && taskhub restart stuck-greet`, one right after the other.
      await hub.client.terminate(IDS.stuck, 'stuck: nothing left to wake it');
      const restarted = await hub.client.restart(IDS.stuck);
      await until(async () => (await hub.client.getStatus(IDS.stuck)).runtimeStatus === 'Terminated', {
        what: 'the stuck instance to be terminated',
      });
      await until(async () => (await hub.client.getStatus(restarted)).runtimeStatus === 'Completed', {
        what: 'the restarted instance to complete',
      });
      expect((await hub.client.getStatus(restarted)).output).toBe('Hello ann!');
      const started = (await hub.store.getHistory(restarted)).find((e) => e.eventType === 'ExecutionStarted');
      expect(started).toMatchObject({ restartedFrom: IDS.stuck });

      const after = await diagnose(hub.store);
      const codes = after.findings.map((f) => f.code);
      expect(codes).not.toContain('STUCK');
      expect(codes).not.toContain('ENTITY_LOCK_ORPHANED');
    } finally {
      await hub.close();
    }
  });

  it('compares the versions of unfinished instances with the answering app, and says what a store alone cannot', async () => {
    // Written with no worker (worker: false), so nothing runs them: 1.0 twice, 3.0 once, one without a version.
    const writer = await open('Versions');
    try {
      const timestamp = new Date().toISOString();
      for (const [instanceId, version] of [
        ['v1-a', '1.0'],
        ['v1-b', '1.0'],
        ['v3', '3.0'],
        ['plain', undefined],
      ]) {
        const ids = { instanceId: instanceId!, executionId: `${instanceId}-1`, name: 'Order' };
        const startEvent = { eventType: 'ExecutionStarted', eventId: -1, timestamp, ...ids } as const;
        await writer.store.createInstance({ ...ids, startEvent: version ? { ...startEvent, version } : startEvent });
      }

      const storeOnly = await diagnose(writer.store, STRICT);
      expect(find(storeOnly, 'PENDING_TOO_LONG').details).toContainEqual(
        expect.stringMatching(/^v3 \(Order 3\.0\) created/),
      );
      const inUse = find(storeOnly, 'VERSIONS_IN_USE');
      expect(inUse.title).toBe('Unfinished instances of 2 orchestration versions: Order 1.0 (2), Order 3.0 (1)');
      expect(storeOnly.findings.map((f) => f.code)).not.toContain('VERSION_NOT_RUN');

      // The answering app runs 1.0 and, unversioned, up to defaultVersion 1.0: only 3.0 is not run, not "no host".
      const registry = new FunctionRegistry();
      registry.versioning = { defaultVersion: '1.0' };
      registry.registerOrchestration('Order', function* () {}, '1.0');
      registry.registerOrchestration('Order', function* () {});
      const withApp = await diagnose(writer.store, STRICT, { app: { registry } });
      const notRun = find(withApp, 'VERSION_NOT_RUN');
      expect(notRun).toMatchObject({ count: 1, instanceIds: ['v3'] });
      expect(notRun.details).toEqual([
        expect.stringMatching(/^1 Order \(oldest created .* ago\) wait for a worker that runs version 3\.0 of Order$/),
      ]);
      expect([...find(withApp, 'PENDING_TOO_LONG').instanceIds].sort()).toEqual(['plain', 'v1-a', 'v1-b']);
    } finally {
      await writer.close();
    }
  });
});
