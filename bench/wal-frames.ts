// `npx tsx bench/wal-frames.ts`: WAL frames (pages written) per commit and per activity for W1, W2 and W4 on a fresh
// SQLite hub, and which table or index each page belongs to. A count that does not depend on the machine's load: with
// synchronous=FULL each commit's cost is its fsync, and what that fsync has to push to the disk is these pages.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTaskHub } from '../src/hub.js';
import { createLogger } from '../src/log.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { benchRegistry } from './lib/hub.js';
import { w1, w2, w4, warmup } from './lib/workloads.js';

for (const [name, activities, fn] of [
  ['W1', 6000, (c: Parameters<typeof w1>[1]) => w1('x', c, 'f', 2000)],
  ['W2', 1000, (c: Parameters<typeof w1>[1]) => w2('x', c, 'f', 1000)],
  ['W4', 200, (c: Parameters<typeof w1>[1]) => w4('x', c, 'f', 200)],
] as const) {
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-frames-'));
  const path = join(dir, 'hub.db');
  const store = openSqliteStore({ path, durability: 'full' });
  const hub = await openTaskHub({ store, registry: benchRegistry(), logger: createLogger({ level: 'silent' }) });
  await hub.start();
  store.db.pragma('wal_autocheckpoint = 0');
  // Each frame: a 24-byte header, then one page (of whatever size the file was created with).
  const FRAME = (store.db.pragma('page_size', { simple: true }) as number) + 24;
  await warmup(hub.client, 'w');
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const wal = (): number => statSync(`${path}-wal`).size;
  const before = wal();
  const commits0 = hub.worker!.committer.commits;
  await fn(hub.client);
  const frames = (wal() - before) / FRAME;
  const commits = hub.worker!.committer.commits - commits0;
  // A frame's header starts with its page number. The WAL started empty (TRUNCATE).
  const owner = new Map<number, string>();
  for (const r of store.db.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[])
    owner.set(r.pageno, r.name);
  const log = readFileSync(`${path}-wal`);
  const byTable = new Map<string, number>();
  for (let off = 32; off + 24 <= log.length; off += FRAME) {
    const table = owner.get(log.readUInt32BE(off)) ?? '(free)';
    byTable.set(table, (byTable.get(table) ?? 0) + 1);
  }
  const shares = [...byTable]
    .sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `${t} ${((100 * n) / frames).toFixed(0)}%`)
    .join(', ');
  process.stdout.write(
    `${name}: ${frames.toFixed(0)} frames, ${commits} group commits, ${(frames / commits).toFixed(1)} frames per commit, ` +
      `${(frames / activities).toFixed(2)} per activity\n    pages by table: ${shares}\n`,
  );
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
}
