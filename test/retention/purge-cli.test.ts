// `taskhub purge --older-than` from an app folder, on its real SQLite store: --dry-run lists what would go and
// deletes nothing, a script without --yes is refused (exit 1), the purge takes only instances finished longer ago
// than asked (per status when --status is given), a bad duration is refused before anything is read, and a large
// purge reports progress at every tenth.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeApp, startAppHost, taskhub } from '../cli/cli-helpers.js';
import { daysAgo, remaining, seed, type SeedRow } from './seed.js';

let app: ReturnType<typeof makeApp>;
let store: SqliteStore;
beforeEach(async () => {
  app = makeApp();
  mkdirSync(path.join(app.dir, '.taskhub'));
  store = openSqliteStore({ path: path.join(app.dir, '.taskhub/taskhub.db'), hubName: 'CliHub' });
  await store.migrate();
});
afterEach(async () => {
  await store.close();
  app.remove();
});

const rows = (prefix: string, n: number, status: SeedRow['status'], days: number): SeedRow[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${String(i).padStart(4, '0')}`,
    status,
    updated: daysAgo(days),
  }));

describe('taskhub purge --older-than', () => {
  beforeEach(async () => {
    await seed(store, [
      ...rows('done-old', 20, 'Completed', 10),
      ...rows('failed-old', 5, 'Failed', 10),
      ...rows('done-new', 4, 'Completed', 1),
      ...rows('running-old', 3, 'Running', 10),
    ]);
  });

  it('--dry-run lists what would be purged and deletes nothing', async () => {
    const dry = await taskhub(['purge', '--older-than', '3d', '--dry-run'], { cwd: app.dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Would purge 25 instances from task hub CliHub');
    expect(dry.stdout).toContain('… and 5 more.');
    expect(dry.stdout).not.toMatch(/done-new|running-old/);
    // A plain number is seconds, as doctor's ages are: 259200 s is 3 days.
    const seconds = await taskhub(['purge', '--older-than', '259200', '--dry-run'], { cwd: app.dir });
    expect(seconds.stderr).toBe('');
    expect(seconds.stdout).toContain('Would purge 25 instances from task hub CliHub');
    expect(await remaining(store)).toHaveLength(32);
  });

  it('refuses in a script without --yes, then purges only what finished longer ago', async () => {
    const refused = await taskhub(['purge', '--older-than', '3.00:00:00'], { cwd: app.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('This would purge 25 instances');
    expect(await remaining(store)).toHaveLength(32);

    const failedOnly = await taskhub(['purge', '--older-than', '72h', '--status', 'Failed', '--yes'], { cwd: app.dir });
    expect(failedOnly.code).toBe(0);
    expect(failedOnly.stdout).toBe('Purged 5 instances.\n');
    const all = await taskhub(['purge', '--older-than', '3d', '--yes'], { cwd: app.dir });
    expect(all.stdout).toBe('Purged 20 instances.\n');
    const left = await remaining(store);
    expect(left.filter((id) => id.startsWith('done-new'))).toHaveLength(4);
    expect(left.filter((id) => id.startsWith('running-old'))).toHaveLength(3);
    expect(left).toHaveLength(7);
  });

  it("goes through the app's running host when there is one", async () => {
    const host = await startAppHost(app.dir);
    try {
      const dry = await taskhub(['purge', '--older-than', '3d', '--status', 'Failed', '--dry-run'], { cwd: app.dir });
      expect(dry.stdout).toContain(`Would purge 5 instances from the host at ${host.url}:`);
      const purged = await taskhub(['purge', '--older-than', '3d', '--yes'], { cwd: app.dir });
      expect(purged.stdout).toBe('Purged 25 instances.\n');
    } finally {
      await host.stop();
    }
    expect(await remaining(store)).toHaveLength(7);
  }, 120_000);

  it('refuses a duration it cannot read, saying which forms it takes', async () => {
    const bad = await taskhub(['purge', '--older-than', 'a week'], { cwd: app.dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--older-than must be a duration such as "7.00:00:00"');
    expect(await remaining(store)).toHaveLength(32);
  });
});

describe('a large purge', () => {
  it('reports progress at every tenth and purges them all', async () => {
    await seed(store, [...rows('bulk', 3000, 'Completed', 10), ...rows('keep', 2, 'Running', 10)]);
    const purged = await taskhub(['purge', '--older-than', '1d', '--yes'], { cwd: app.dir });
    expect(purged.code).toBe(0);
    expect(purged.stdout).toBe('Purged 3000 instances.\n');
    const progress = purged.stderr.split('\n').filter((line) => line.startsWith('Purged '));
    expect(progress).toEqual(Array.from({ length: 9 }, (_, i) => `Purged ${(i + 1) * 300} of 3000…`));
    expect(await remaining(store)).toEqual(['keep-0000', 'keep-0001']);
  }, 120_000);
});
