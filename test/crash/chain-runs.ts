// What the chain crash tests share: a SQLite task hub in a scratch folder, the chain host process (chain-host.ts) they
// start on it, and the kill loop: each kill waits for evidence that this start made progress (a step result committed
// to the file), then lands a random number of results later, so kills hit every phase on a busy machine too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runScript, type ScriptProcess } from '../script-process.js';
import { randomBetween, until } from '../until.js';

export interface ChainHostOptions {
  readonly count: number;
  readonly steps: number;
  /** The orchestrator is an async function (default: a generator). */
  readonly async?: boolean;
  /** A durable timer halfway through each chain. */
  readonly timer?: boolean;
  /** How long each activity takes, in ms (default 50). */
  readonly stepMs?: number;
  /** Registers the OpenTelemetry SDK in the host, each finished span appended to this file. */
  readonly spansFile?: string;
}

/** A SQLite file in a fresh folder (removed after the test file), and the test's own store on it, open from beforeAll. */
export class ChainHub {
  readonly dir: string;
  readonly file: string;
  #store: SqliteStore | undefined;

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    this.file = join(this.dir, 'hub.db');
    beforeAll(async () => {
      this.#store = openSqliteStore({ path: this.file, hubName: 'TestHubName' });
      await this.#store.migrate();
    });
    afterAll(async () => {
      await this.#store?.close();
      rmSync(this.dir, { recursive: true, force: true });
    });
  }

  get store(): SqliteStore {
    if (!this.#store) throw new Error('the chain hub store opens in beforeAll');
    return this.#store;
  }

  /** Starts a chain host process on the file; it prints `done` and exits once every chain has ended. */
  startHost(options: ChainHostOptions): ScriptProcess {
    const args = [this.file, '--count', String(options.count), '--steps', String(options.steps)];
    if (options.stepMs !== undefined) args.push('--step-ms', String(options.stepMs));
    if (options.async) args.push('--async');
    if (options.timer) args.push('--timer');
    if (options.spansFile !== undefined) args.push('--spans', options.spansFile);
    return runScript(join(import.meta.dirname, 'chain-host.ts'), args);
  }

  /** Events of a type committed so far over all histories (a history holds each step result once). */
  committed(eventType = 'TaskCompleted'): number {
    const row = this.store.db
      .prepare(
        `SELECT count(*) AS n FROM history, json_each(history.events)
          WHERE json_extract(json_each.value, '$.eventType') = ?`,
      )
      .get(eventType) as { n: number };
    return row.n;
  }

  async count(runtimeStatus: 'Running' | 'Completed'): Promise<number> {
    return (await this.store.queryInstances({ runtimeStatus: [runtimeStatus], pageSize: 1000 })).instances.length;
  }
}

export interface KillLoopOptions {
  readonly kills: number;
  /** Past the evidence, a host is killed after 0 to this many more committed step results. */
  readonly maxStepsPastEvidence: number;
  /** How often the file is polled for progress, in ms (the `until` default when absent). */
  readonly pollMs?: number;
}

/** One kill of the loop, as the test saw it. */
export interface Kill {
  readonly pid: number | undefined;
  /** Instances still Running once the killed host had exited: the kill landed mid-work. */
  readonly running: number;
  readonly stepsBefore: number;
  readonly stepsAfter: number;
  /** From the host's start to its exit. */
  readonly ms: number;
}

/** Starts and SIGKILLs a host `kills` times, each after evidence of progress; fails if a host exits on its own. */
export async function killAfterProgress(
  hub: ChainHub,
  start: () => ScriptProcess,
  { kills, maxStepsPastEvidence, pollMs }: KillLoopOptions,
): Promise<Kill[]> {
  const done: Kill[] = [];
  for (let k = 0; k < kills; k++) {
    const stepsBefore = hub.committed();
    const startedAt = Date.now();
    const host = start();
    const progressed = (steps: number): boolean => {
      if (host.exited()) throw new Error(`host ${k} exited before it was killed`);
      return hub.committed() >= steps;
    };
    const wait = { timeoutMs: 120_000, ...(pollMs !== undefined ? { pollMs } : {}) };
    try {
      // Evidence first: this start committed a step result (it started, recovered and ran something)...
      await until(() => progressed(stepsBefore + 1), { what: `host ${k} to commit a step`, ...wait });
      // ...then a random amount of further work, so the kill may land anywhere from recovery to full flow.
      const killAt = hub.committed() + randomBetween(0, maxStepsPastEvidence);
      await until(() => progressed(killAt), { what: `host ${k} to commit ${killAt} steps`, ...wait });
    } finally {
      // On a timeout too: a host left running would outlive the test, still writing to its file.
      host.child.kill('SIGKILL');
    }
    await host.output;
    const kill = {
      pid: host.child.pid,
      running: await hub.count('Running'),
      stepsBefore,
      stepsAfter: hub.committed(),
      ms: Date.now() - startedAt,
    };
    if (process.env.CRASH_DEBUG) {
      process.stderr.write(
        `kill ${k} after ${kill.ms} ms: steps ${stepsBefore} -> ${kill.stepsAfter}, ${kill.running} running\n`,
      );
    }
    done.push(kill);
  }
  return done;
}

/** A chain's output: what `steps` Step activities make of input `n`. */
export function chainOutput(n: number, steps: number): number {
  let acc = n;
  for (let i = 0; i < steps; i++) acc = (acc * 31 + i) % 1_000_000_007;
  return acc;
}

/**
 * Every chain Completed with the right output, and its history holds each of its `steps` results once: activities
 * run at least once, the orchestrator observes each result exactly once.
 */
export async function expectEveryChainCompletedOnce(hub: ChainHub, count: number, steps: number): Promise<void> {
  for (let n = 0; n < count; n++) {
    const id = `chain-${n}`;
    const instance = await hub.store.getInstance(id);
    expect(instance?.runtimeStatus, `${id}: ${JSON.stringify(instance?.failureDetails)}`).toBe('Completed');
    expect(JSON.parse(instance?.output ?? 'null')).toBe(chainOutput(n, steps));
    const completed = (await hub.store.getHistory(id)).flatMap((e) =>
      e.eventType === 'TaskCompleted' ? [e.taskScheduledId] : [],
    );
    expect(new Set(completed).size, `${id} observed a task twice`).toBe(completed.length);
    expect(completed).toHaveLength(steps);
  }
}
