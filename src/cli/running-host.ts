// Where the app's running host is: `taskhub start` writes `<app>/.taskhub/running-host.json` (its URL, pid, hub and
// store) once it serves, and removes it when it exits, so client commands run in the app folder find it. A record a
// killed host left behind is harmless: its pid is gone or nothing answers at its URL, and the commands use the store.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WEBHOOK_PATH } from '../app/management-urls.js';

export interface RunningHostRecord {
  readonly url: string;
  readonly pid: number;
  readonly hubName: string;
  /** The SQLite file it serves (undefined: the app's default store). */
  readonly sqliteFile?: string;
  /** It serves a PostgreSQL store, whose URL is not written down (it may hold a password). */
  readonly postgres?: boolean;
  readonly startedAt: string;
}

export function runningHostFile(appRoot: string): string {
  return path.join(appRoot, '.taskhub', 'running-host.json');
}

/** Written by `taskhub start` once it serves; removed again at its exit (see forgetRunningHost). */
export function recordRunningHost(appRoot: string, record: RunningHostRecord): void {
  const file = runningHostFile(appRoot);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** Removes the record if it is still this process's (a second host of the same app may have written its own since). */
export function forgetRunningHost(appRoot: string, pid = process.pid): void {
  if (readRunningHost(appRoot)?.pid === pid) rmSync(runningHostFile(appRoot), { force: true });
}

export function readRunningHost(appRoot: string): RunningHostRecord | undefined {
  try {
    const parsed = JSON.parse(readFileSync(runningHostFile(appRoot), 'utf8')) as Partial<RunningHostRecord>;
    if (typeof parsed.url !== 'string' || typeof parsed.pid !== 'number' || typeof parsed.hubName !== 'string') {
      return undefined;
    }
    return parsed as RunningHostRecord;
  } catch {
    // No record, or one cut short: as if no host had written one.
    return undefined;
  }
}

/**
 * Whether a host answers at the record's URL: its process is alive and its management API responds (any HTTP answer,
 * 401 included, is a host). Answers within `timeoutMs`, so a stale record costs a client command little.
 */
export async function hostAnswers(record: RunningHostRecord, timeoutMs = 2000): Promise<boolean> {
  if (!processAlive(record.pid)) return false;
  try {
    const response = await fetch(`${record.url}${WEBHOOK_PATH}/instances?top=1`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, owned by someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
