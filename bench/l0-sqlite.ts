// L0: the raw SQLite commit rate, no engine: transactions that each insert 3 small rows (about 200 bytes each) into
// one table, WAL mode, one connection. The ceiling every SQLite workload is compared against.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export function benchL0Sqlite(durability: 'full' | 'normal', seconds: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-l0-'));
  const db = new Database(join(dir, 'l0.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, k TEXT NOT NULL, payload TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO rows (k, payload) VALUES (?, ?)');
    const payload = 'x'.repeat(200);
    const tx = db.transaction((n: number) => {
      for (let r = 0; r < 3; r++) insert.run(`k${n}-${r}`, payload);
    });
    const end = performance.now() + seconds * 1000;
    let commits = 0;
    const t0 = performance.now();
    while (performance.now() < end) tx.immediate(commits++);
    return Promise.resolve(commits / ((performance.now() - t0) / 1000));
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
