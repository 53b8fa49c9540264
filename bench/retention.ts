// Retention under load (issue 17): W1 on a hub whose SQLite file holds 100,000 finished instances, run round after
// round while retention purges all of them in the background, then the same number of rounds on the same seeded file
// without retention; the first throughput over the second is the cost of retention (the target: at least 0.8). Also
// reported: how long the purge took (W1 running throughout) and how many W1 instances ran meanwhile.
// Run alone: `node --import tsx bench/retention.ts [instances] [w1Instances]` prints the metrics as JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openTaskHub } from '../src/hub.js';
import { createLogger } from '../src/log.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { benchRegistry } from './lib/hub.js';
import { round } from './lib/stats.js';
import { w1, warmup, type Metric } from './lib/workloads.js';

const ENGINE = 'taskhub-sqlite';
const DAY = 86_400_000;

export async function benchRetention(instances = 100_000, w1Instances = 2000): Promise<Metric[]> {
  const purging = await measure(instances, w1Instances, true);
  const alone = await measure(instances, w1Instances, false, purging.rounds);
  return [
    { engine: ENGINE, workload: 'retention', metric: 'w1_alone_per_s', value: alone.w1, unit: '1/s' },
    { engine: ENGINE, workload: 'retention', metric: 'w1_while_purging_per_s', value: purging.w1, unit: '1/s' },
    { engine: ENGINE, workload: 'retention', metric: 'w1_ratio', value: round(purging.w1 / alone.w1, 2), unit: 'x' },
    { engine: ENGINE, workload: 'retention', metric: 'purge_seconds', value: purging.purgeSeconds, unit: 's' },
    {
      engine: ENGINE,
      workload: 'retention',
      metric: 'w1_instances_during_purge',
      value: purging.rounds * w1Instances,
      unit: 'instances',
    },
  ];
}

/**
 * W1 rounds on a hub seeded with `instances` old finished ones: with retention, until they are all purged; without,
 * `rounds` rounds. Throughput over all rounds.
 */
async function measure(
  instances: number,
  w1Instances: number,
  retention: boolean,
  rounds = 0,
): Promise<{ w1: number; rounds: number; purgeSeconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-bench-retention-'));
  const file = join(dir, 'hub.db');
  try {
    await seed(file, instances);
    const hub = await openTaskHub({
      store: file,
      registry: benchRegistry(),
      worker: retention ? { retention: { olderThanMs: { Completed: DAY }, intervalMs: 3_600_000 } } : {},
      logger: createLogger({ level: 'silent' }),
    });
    const reader = openSqliteStore({ path: file });
    // Whether any seeded instance is left: one primary-key probe (a count would scan and cost W1 time itself).
    const seeded = reader.db.prepare(
      `SELECT 1 FROM instances WHERE hub = 'TestHubName' AND instance_id >= 'seeded-' AND instance_id < 'seeded.' LIMIT 1`,
    );
    const anyLeft = (): boolean => seeded.get() !== undefined;
    try {
      await hub.start();
      await warmup(hub.client, 'warm');
      const t0 = performance.now();
      let seconds = 0;
      let done = 0;
      let purgeSeconds = 0;
      // When the last seeded instance went, to a tenth of a second (W1 rounds are seconds long).
      const watch = setInterval(() => {
        if (purgeSeconds === 0 && !anyLeft()) purgeSeconds = round((performance.now() - t0) / 1000, 1);
      }, 100);
      while (retention ? anyLeft() || done === 0 : done < rounds) {
        const metrics = await w1(ENGINE, hub.client, `r${done}`, w1Instances);
        seconds += w1Instances / (metrics.find((m) => m.metric === 'instances_per_s')?.value ?? NaN);
        done++;
      }
      clearInterval(watch);
      return { w1: round((done * w1Instances) / seconds), rounds: done, purgeSeconds: retention ? purgeSeconds : 0 };
    } finally {
      await reader.close();
      await hub.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `count` Completed instances finished ten days ago, each with a history row, in one transaction. */
async function seed(file: string, count: number): Promise<void> {
  const store = openSqliteStore({ path: file });
  await store.migrate();
  const updated = new Date(Date.now() - 10 * DAY).toISOString();
  const history = JSON.stringify([{ eventType: 'ExecutionStarted', eventId: -1, timestamp: updated, name: 'Seeded' }]);
  const instance = store.db.prepare(
    `INSERT INTO instances (hub, instance_id, execution_id, name, runtime_status, output, created_time,
       last_updated_time, history_length) VALUES ('TestHubName', ?, 'e', 'Seeded', 'Completed', '"done"', ?, ?, 1)`,
  );
  const event = store.db.prepare(`INSERT INTO history (hub, instance_id, seq, events) VALUES ('TestHubName', ?, 0, ?)`);
  store.db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = `seeded-${i}`;
      instance.run(id, updated, updated);
      event.run(id, history);
    }
  })();
  await store.close();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [instances, w1Instances] = process.argv.slice(2).map(Number);
  process.stdout.write(`${JSON.stringify(await benchRetention(instances || undefined, w1Instances || undefined))}\n`);
}
