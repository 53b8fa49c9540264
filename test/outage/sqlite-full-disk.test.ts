// SQLite on a full disk: the store's file lives on a small tmpfs that a filler file fills while a `taskhub start` host
// serves four clients starting chains. Answers are 507 (or 503), never 500; the host stays up and serves reads; once
// the filler is deleted, every accepted instance completes and the database passes its integrity check.
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../e2e/host.js';
import { chainOutput } from './chain-output.js';
import { logEvents, startChain, until } from './outage-helpers.js';

const APP = 'test/outage/chain-app.ts';

/** A fresh 8 MiB tmpfs, or why there is none (mounting needs root, or CAP_SYS_ADMIN in a container). */
function mountTmpfs(): { dir: string } | { reason: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})` };
  }
}

const tmpfs = mountTmpfs();
const skipped = 'reason' in tmpfs ? ` (skipped: ${tmpfs.reason})` : '';
afterAll(() => {
  if ('dir' in tmpfs) {
    execFileSync('umount', [tmpfs.dir]);
    rmSync(tmpfs.dir, { recursive: true, force: true });
  }
});

/** Writes zeros to `file` until the disk is full; returns the bytes written. */
function fill(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return written;
}

describe('SQLite on a full disk', () => {
  it.skipIf('reason' in tmpfs)(
    `answers 507/503, keeps serving reads, and recovers fully${skipped}`,
    async () => {
      if (!('dir' in tmpfs)) return;
      const file = path.join(tmpfs.dir, 'hub.db');
      const filler = path.join(tmpfs.dir, 'filler');
      let host: RunningHost | undefined;
      try {
        host = await startHost(APP, { args: ['--store', `sqlite:${file}`], env: { TASKHUB_LOG_LEVEL: 'info' } });
        const url = host.url;
        const accepted = new Map<string, number>();
        const answers: (number | 'refused')[] = [];
        let stop = false;
        let filled = false;
        let answersWhileFull = 0;
        let next = 0;
        const clients = Promise.all(
          Array.from({ length: 4 }, async () => {
            while (!stop) {
              const n = next++;
              const outcome = await startChain(url, `full-${n}`, n, false);
              answers.push(...outcome.answers);
              if (outcome.accepted) accepted.set(`full-${n}`, n);
              else if (filled) answersWhileFull++;
            }
          }),
        );
        const log = (): string => host?.output() ?? '';
        await until(() => accepted.size >= 20, '20 accepted starts', 60_000, log);
        filled = true;
        fill(filler);
        // The disk stays full until the clients have met it many times.
        await until(() => answersWhileFull >= 200, '200 refused starts on the full disk', 120_000, log);
        // Reads still work: the status of an accepted instance.
        const [someId] = accepted.keys();
        const status = await fetch(`${url}/runtime/webhooks/durabletask/instances/${someId}`);
        expect([200, 202]).toContain(status.status);
        await status.arrayBuffer();
        stop = true;
        await clients;
        rmSync(filler);

        const refused = answers.filter((a) => a !== 202);
        expect(refused.length).toBeGreaterThan(0);
        expect(refused.filter((a) => a !== 507 && a !== 503)).toEqual([]);
        expect(host.child.exitCode).toBeNull();
        expect(logEvents(host.output(), 'store.full') + logEvents(host.output(), 'store.unavailable')).toBeGreaterThan(
          0,
        );

        // Every accepted instance completes with the right output.
        const outputs = new Map<string, unknown>();
        await until(
          async () => {
            for (const [id] of accepted) {
              if (outputs.has(id)) continue;
              const response = await fetch(`${url}/runtime/webhooks/durabletask/instances/${id}`);
              const body = (await response.json()) as { runtimeStatus?: string; output?: unknown };
              if (body.runtimeStatus === 'Completed') outputs.set(id, body.output);
            }
            return outputs.size === accepted.size;
          },
          'every accepted instance to complete',
          180_000,
          () => `${outputs.size} of ${accepted.size} completed\n${log()}`,
        );
        for (const [id, n] of accepted) expect(outputs.get(id), id).toBe(chainOutput(n));
        expect(host.output()).not.toContain('"level":50');
      } finally {
        if (host) expect(await host.stop()).toBe(0);
      }
      const db = new Database(file, { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    },
    600_000,
  );
});
