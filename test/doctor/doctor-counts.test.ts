// What doctor counts and prints on a real SQLite file and a real PostgreSQL server: a finding counts instances, not
// the rows that found them (one instance with three oversized payloads is one instance), so the list and "… and N
// more" agree with the count; a delivery running now is not one that ended its worker; and the purge doctor prints for
// old finished instances selects by finish time and runs as printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { describeReport } from '../../src/cli/doctor.js';
import { diagnose } from '../../src/doctor/diagnose.js';
import type { DoctorReport, Finding, FindingCode } from '../../src/doctor/findings.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import type { Store } from '../../src/store/store.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { taskhub } from '../cli/cli-helpers.js';
import { until } from '../until.js';
import { create, episode } from './crashed-hub.js';

const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-doctor-counts-'));
let pgServer: PgServer | undefined;
beforeAll(async () => {
  pgServer = await startPgServer();
}, 120_000);
afterAll(async () => {
  await pgServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const logger = createLogger({ level: 'silent' });

function find(report: DoctorReport, code: FindingCode): Finding | undefined {
  return report.findings.find((f) => f.code === code);
}

const stores: Record<string, { open: (hub: string) => Store | string; flag: (hub: string) => string }> = {
  SQLite: { open: (hub) => path.join(dir, `${hub}.db`), flag: (hub) => `sqlite:${path.join(dir, `${hub}.db`)}` },
  PostgreSQL: {
    open: (hub) => openPostgresStore({ connectionString: pgServer!.connectionString, hubName: hub, poolSize: 4 }),
    flag: () => pgServer!.connectionString,
  },
};

describe.each(Object.keys(stores))('doctor counts on %s', (kind) => {
  const target = stores[kind]!;

  it('counts instances, not rows: three oversized payloads of one instance are one instance', async () => {
    const registry = new FunctionRegistry();
    registry.registerOrchestration('Echo', function* (context: OrchestrationContext) {
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime()));
      return context.df.getInput<string>();
    });
    const hub = await openTaskHub({ store: target.open('Counts'), hubName: 'Counts', logger, registry });
    try {
      await hub.start();
      // Input, output and history each over 2 KiB: three rows per instance.
      const big = 'x'.repeat(3000);
      for (const id of ['big-1', 'big-2']) await hub.client.startNew('Echo', { instanceId: id, input: big });
      for (const id of ['big-1', 'big-2']) {
        await until(async () => (await hub.client.getStatus(id)).runtimeStatus === 'Completed', {
          what: `${id} to complete`,
        });
      }
      const all = await diagnose(hub.store, { maxPayloadBytes: 2048 });
      const oversized = find(all, 'OVERSIZED')!;
      expect(oversized.count).toBe(2);
      expect([...oversized.instanceIds].sort()).toEqual(['big-1', 'big-2']);
      expect(oversized.title).toBe('2 instances with an oversized history or payload');
      expect(oversized.details).toHaveLength(6);
      const text = describeReport(all);
      expect(text).not.toContain('more (raise --limit');

      const one = await diagnose(hub.store, { maxPayloadBytes: 2048, limit: 1 });
      const capped = find(one, 'OVERSIZED')!;
      expect(capped.count).toBe(2);
      expect(capped.instanceIds).toHaveLength(1);
      // Only the listed instance's lines, and the one left out is the one "more".
      expect(capped.details.every((d) => d.startsWith(`${capped.instanceIds[0]} `))).toBe(true);
      expect(capped.details).toHaveLength(3);
      expect(describeReport(one)).toContain('… and 1 more (raise --limit to list them)');
    } finally {
      await hub.close();
    }
  });

  it('a work item on its last allowed delivery, held by a live lease, is running, not failing', async () => {
    const hub = await openTaskHub({ store: target.open('Deliveries'), hubName: 'Deliveries', logger, worker: false });
    try {
      const store = hub.store;
      await create(store, 'Greet', 'long-activity', 'ann');
      await episode(
        store,
        'w-1',
        'long-activity',
        [{ eventType: 'TaskScheduled', eventId: 0, timestamp: new Date().toISOString(), name: 'Slow', input: '1' }],
        { newWorkItems: [{ taskScheduledId: 0, name: 'Slow', input: '1' }] },
      );
      // Four deliveries ended their worker; the fifth is running now under a live lease.
      for (let i = 0; i < 4; i++) {
        const [item] = await store.claimWorkItems(`crashing-${i}`, 1, 60_000);
        await store.abandonWorkItem(`crashing-${i}`, item!);
      }
      const [running] = await store.claimWorkItems('alive', 1, 600_000);
      expect(find(await diagnose(store), 'DELIVERY_COUNT_EXCEEDED')).toBeUndefined();
      // Past a lower threshold it is listed, and said to be running.
      const lower = find(await diagnose(store, { maxDeliveryCount: 4 }), 'DELIVERY_COUNT_EXCEEDED')!;
      expect(lower.details).toEqual(['activity Slow #0 of long-activity: 5 deliveries, running now']);

      // The fifth ends its worker too: now it is reported, against doctor's threshold, named as doctor's.
      await store.abandonWorkItem('alive', running!);
      const finding = find(await diagnose(store), 'DELIVERY_COUNT_EXCEEDED')!;
      expect(finding).toMatchObject({ count: 1, instanceIds: ['long-activity'] });
      expect(finding.details).toEqual(['activity Slow #0 of long-activity: 5 deliveries']);
      expect(finding.meaning).toContain("doctor's threshold (--max-delivery-count 5");
    } finally {
      await hub.close();
    }
  });

  it('old finished instances: the printed purge selects by finish time and runs as printed', async () => {
    const registry = new FunctionRegistry();
    registry.registerOrchestration('Quick', function* () {
      yield* [];
      return 'done';
    });
    const hub = await openTaskHub({ store: target.open('Finished'), hubName: 'Finished', logger, registry });
    let report: DoctorReport;
    try {
      await hub.start();
      await hub.client.startNew('Quick', { instanceId: 'done-1' });
      await until(async () => (await hub.client.getStatus('done-1')).runtimeStatus === 'Completed', {
        what: 'done-1 to complete',
      });
      // Finished more than 1 s ago.
      await until(
        async () =>
          find(await diagnose(hub.store, { finishedOlderThanMs: 1000 }), 'FINISHED_NOT_PURGED')?.severity === 'warning',
        { what: 'done-1 to have finished over a second ago' },
      );
      report = await diagnose(hub.store, { finishedOlderThanMs: 1000 });
    } finally {
      await hub.close();
    }
    const finding = find(report, 'FINISHED_NOT_PURGED')!;
    expect(finding.title).toMatch(/^1 finished instance stored; the longest-finished ended .+ ago$/);
    expect(finding.fix).toEqual(['taskhub purge --status Completed,Failed,Terminated --older-than 1s --dry-run']);
    const args = finding.fix[0]!.split(' ').slice(1);
    const dry = await taskhub([...args, '--store', target.flag('Finished'), '--hub', 'Finished'], { cwd: dir });
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('done-1');
  });
});
