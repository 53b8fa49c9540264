// W6 in its own process so its RSS is the host's alone: 100,000 instances each waiting on an external event.
// Prints one JSON line: time to start them, RSS once all are waiting, CPU used while idle.
import { performance } from 'node:perf_hooks';
import { pool, round } from './lib/stats.js';
import { openBenchHub } from './lib/hub.js';

const count = Number(process.argv[2] ?? 100_000);
const hub = await openBenchHub();
const t0 = performance.now();
await pool(count, 64, async (i) => {
  await hub.client.startNew('WaitForever', { instanceId: `w6-${i}` });
});
// Every instance must have run its first episode (it is Running, waiting), not just be stored as Pending.
for (;;) {
  const pending = await hub.store.queryInstances({ runtimeStatus: ['Pending'], pageSize: 1 });
  if (pending.instances.length === 0) break;
  await new Promise((r) => setTimeout(r, 100));
}
const startSeconds = (performance.now() - t0) / 1000;
const running = await hub.store.queryInstances({ runtimeStatus: ['Running'], pageSize: 1 });
if (running.instances.length === 0) throw new Error('W6: no instance is Running');
global.gc?.();
await new Promise((r) => setTimeout(r, 1000));
const rssMb = process.memoryUsage().rss / (1024 * 1024);
const cpu0 = process.cpuUsage();
const idleMs = 3000;
await new Promise((r) => setTimeout(r, idleMs));
const cpu = process.cpuUsage(cpu0);
const idleCpuPercent = ((cpu.user + cpu.system) / 1000 / idleMs) * 100;
process.stdout.write(
  JSON.stringify({
    count,
    startSeconds: round(startSeconds, 2),
    rssMb: round(rssMb, 1),
    idleCpuPercent: round(idleCpuPercent, 2),
  }) + '\n',
);
await hub.dispose();
