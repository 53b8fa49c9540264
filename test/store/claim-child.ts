// A second process on one SQLite file: claims instances as fast as it can and finishes each in one episode, then
// prints the ids it ran as JSON. Run by sqlite-processes.test.ts, several at once, to prove one owner per instance.
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { episode } from './conformance-helpers.js';

const [file, workerId] = process.argv.slice(2);
if (!file || !workerId) throw new Error('usage: claim-child.ts <file> <workerId>');
const store = openSqliteStore({ path: file, hubName: 'Shared' });
await store.migrate();
// Start together, so the processes really contend for the same rows: say so once ready, and wait for the parent's
// word (on stdin), which it gives once every process is ready.
process.stdout.write('ready\n');
// (An orphan, its stdin closed, goes ahead and ends once it finds nothing to claim.)
await new Promise((resolve) => process.stdin.once('data', resolve).once('end', resolve));
const ran: string[] = [];
let idle = 0;
// Stop after ~1 s with nothing to claim: the parent created every instance before starting the children.
while (idle < 50) {
  const claimed = await store.claimOrchestrations(workerId, 5, 10_000);
  if (claimed.length === 0) {
    idle++;
    await new Promise((r) => setTimeout(r, 20));
    continue;
  }
  idle = 0;
  const result = await store.commit({
    workerId,
    leaseMs: 10_000,
    episodes: claimed.map((c) => episode(c, { runtimeStatus: 'Completed', output: JSON.stringify(workerId) })),
    activityCompletions: [],
  });
  if (result.rejectedEpisodes.length > 0) throw new Error(`rejected: ${result.rejectedEpisodes.join(', ')}`);
  ran.push(...claimed.map((c) => c.instance.instanceId));
  // A real worker runs code between claims; without a pause one process can keep SQLite's write lock to itself
  // (the busy handler is not fair), which is safe but would not show contention.
  await new Promise((r) => setTimeout(r, 3));
}
await store.close();
process.stdout.write(`ran ${JSON.stringify(ran)}\n`);
