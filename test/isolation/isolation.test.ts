// The app's code is a guest of `taskhub start`: poison activities among 300 healthy chains are quarantined while the
// management API answers every request, an HTTP function that ends its worker costs only a restart, and a SIGKILLed
// host leaves no orphaned language worker and a new host on the same SQLite file finishes its work.
// Real processes (the CLI from source) and real HTTP on loopback; every wait is for a state, never for a time.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startHost, type RunningHost } from '../e2e/host.js';

const APP = 'test/isolation/fault-app';
const WEBHOOK = '/runtime/webhooks/durabletask';
const HEALTHY = 300;
/** host.json of the fault app: maxDeliveryCount 3, functionTimeout 00:00:03. */
const MAX_DELIVERIES = 3;
const CRASHING_FAULTS = ['exit', 'timer-throw', 'unhandled-rejection'] as const;
const GENEROUS_MS = 120_000;
/** One wait of the restart test: generous, and below its own test timeout. */
const STEP_MS = 60_000;

interface Status {
  readonly instanceId: string;
  readonly runtimeStatus: string;
  readonly output: unknown;
}

/** Polls `read` until `done` holds for what it returns; after `ms` fails with `explain(last value)`. */
async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms = GENEROUS_MS,
  explain: (value: T) => string = (value) => JSON.stringify(value),
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${ms} ms; last: ${explain(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every instance whose id starts with `prefix`, walking the list's continuation tokens. */
async function listAll(api: string, prefix = ''): Promise<Status[]> {
  const all: Status[] = [];
  let token: string | null = null;
  do {
    const response: Response = await fetch(`${api}/instances?instanceIdPrefix=${prefix}&top=500&showInput=false`, {
      headers: token ? { 'x-ms-continuation-token': token } : {},
    });
    if (response.status !== 200) throw new Error(`list answered ${response.status}: ${await response.text()}`);
    all.push(...((await response.json()) as Status[]));
    token = response.headers.get('x-ms-continuation-token');
  } while (token);
  return all;
}

async function statusOf(api: string, id: string): Promise<Status> {
  return (await (await fetch(`${api}/instances/${id}`)).json()) as Status;
}

/** Starts `Chain` through the management API's start route. */
async function startChain(api: string, id: string, input: { n: number; fault?: string }): Promise<void> {
  const started = await post(`${api}/orchestrators/Chain/${id}`, input);
  if (started.status !== 202)
    throw new Error(`start ${id} answered ${started.status}: ${JSON.stringify(started.body)}`);
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, lane));
}

/**
 * Asks the management API one request after another until stopped, and records every answer that is not one of the
 * expected statuses (a connection error included). The status route answers 202 while its instance runs, as in
 * Durable Functions; the list always answers 200.
 */
function watchManagementApi(targets: readonly { url: string; ok: readonly number[] }[]): {
  stop(): Promise<{ requests: number; failures: string[] }>;
} {
  let stopping = false;
  let requests = 0;
  const failures: string[] = [];
  const loop = (async () => {
    while (!stopping) {
      for (const { url, ok } of targets) {
        try {
          const response = await fetch(url);
          await response.arrayBuffer();
          if (!ok.includes(response.status)) failures.push(`${url}: ${response.status}`);
        } catch (err) {
          failures.push(`${url}: ${String(err)}`);
        }
        requests++;
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
      return { requests, failures };
    },
  };
}

const FINAL = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

/** All `count` instances listed and none still Pending, Running or Suspended. */
function allFinal(count: number): (list: readonly Status[]) => boolean {
  return (list) => list.length === count && list.every((s) => FINAL.has(s.runtimeStatus));
}

/** A failed wait's story: instances by runtimeStatus, a few unfinished ids, and the end of the host's log. */
function explainList(host: RunningHost): (list: readonly Status[]) => string {
  return (list) => {
    const counts: Record<string, number> = {};
    for (const s of list) counts[s.runtimeStatus] = (counts[s.runtimeStatus] ?? 0) + 1;
    const unfinished = list.filter((s) => !FINAL.has(s.runtimeStatus)).map((s) => s.instanceId);
    return `${JSON.stringify(counts)}, unfinished ${unfinished.slice(0, 10).join(' ')}\nhost log (end):\n${host.output().slice(-4000)}`;
  };
}

/** The instances whose output is not what a healthy `Chain` of their n returns, with what they returned instead. */
function wrongChains(byId: ReadonlyMap<string, Status>, ids: readonly [id: string, n: number][]): string[] {
  return ids
    .filter(([id, n]) => {
      const s = byId.get(id);
      return (
        s?.runtimeStatus !== 'Completed' || JSON.stringify(s.output) !== JSON.stringify({ b: n * 4, faultResult: null })
      );
    })
    .map(([id]) => `${id}: ${byId.get(id)?.runtimeStatus} ${JSON.stringify(byId.get(id)?.output)}`);
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** The language worker among a host's children (tsx may have short-lived helpers of its own). */
function languageWorkerOf(hostPid: number): number | undefined {
  let lines: string[];
  try {
    lines = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(hostPid)], { encoding: 'utf8' }).split('\n');
  } catch {
    return undefined; // ps exits 1 when the host has no children (yet)
  }
  const line = lines.find((l) => l.includes('language-worker'));
  return line === undefined ? undefined : Number(line.trim().split(/\s+/)[0]);
}

/** A process's state letter (R, S, Z ...), or undefined once the process no longer exists. */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name in parentheses, which may itself hold spaces or parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

function alive(child: RunningHost['child']): boolean {
  return child.exitCode === null && child.signalCode === null;
}

describe('a host whose app misbehaves', () => {
  let host: RunningHost;
  let api: string;
  beforeAll(async () => {
    host = await startHost(APP);
    api = `${host.url}${WEBHOOK}`;
  });
  afterAll(async () => {
    await host.stop();
  });

  it(
    'quarantines poison activities among 300 healthy chains and answers the management API throughout',
    async () => {
      await startChain(api, 'h-0', { n: 0 });
      const watch = watchManagementApi([
        { url: `${api}/instances/h-0`, ok: [200, 202] },
        { url: `${api}/instances?top=20`, ok: [200] },
      ]);
      const faults = [...CRASHING_FAULTS, 'hang'];
      // The poison goes in first, so every crash lands while the healthy chains are being started and run.
      await eachLimited(faults, faults.length, (fault) => startChain(api, `f-${fault}`, { n: 1, fault }));
      await eachLimited(
        Array.from({ length: HEALTHY - 1 }, (_, i) => i + 1),
        20,
        (n) => startChain(api, `h-${n}`, { n }),
      );

      const all = await until(
        'every instance completed',
        () => listAll(api),
        allFinal(HEALTHY + faults.length),
        GENEROUS_MS,
        explainList(host),
      );
      const { requests, failures } = await watch.stop();

      expect(failures).toEqual([]);
      expect(requests).toBeGreaterThan(0);
      const byId = new Map(all.map((s) => [s.instanceId, s]));
      const healthy = Array.from({ length: HEALTHY }, (_, n): [string, number] => [`h-${n}`, n]);
      expect(wrongChains(byId, healthy)).toEqual([]);
      for (const fault of faults) expect(byId.get(`f-${fault}`)?.runtimeStatus).toBe('Completed');
      for (const fault of CRASHING_FAULTS) {
        const output = byId.get(`f-${fault}`)?.output as { b: number; faultResult: string };
        expect(output.b).toBe(4);
        expect(output.faultResult).toMatch(/^caught: /);
        // Only a crash alone brings quarantine: a crasher that also crashed beside other work may have ended its
        // worker more than maxDeliveryCount times by the time it reaches that count with its last crash alone.
        const times = Number(/ended its worker process (\d+) times/.exec(output.faultResult)?.[1]);
        expect(times).toBeGreaterThanOrEqual(MAX_DELIVERIES);
        expect(output.faultResult).toContain(`quarantined after maxDeliveryCount (${MAX_DELIVERIES})`);
      }
      const hang = byId.get('f-hang')?.output as { b: number; faultResult: string };
      expect(hang.b).toBe(4);
      expect(hang.faultResult).toMatch(/^caught: /);
      expect(hang.faultResult).toContain('Timeout value of 00:00:03');

      expect(alive(host.child)).toBe(true);
      expect(occurrences(host.output(), 'language-worker.exited')).toBeGreaterThanOrEqual(MAX_DELIVERIES);
      expect(host.output()).toContain('activity.quarantined');
    },
    GENEROUS_MS + 30_000,
  );

  it(
    'an HTTP function that ends its worker costs a restart: the management API answers, the app comes back',
    async () => {
      const crashExits = (): number =>
        host
          .output()
          .split('\n')
          .filter((line) => line.includes('language-worker.exited') && line.includes('"code":3,')).length;
      const exitsBefore = crashExits();
      const watch = watchManagementApi([{ url: `${api}/instances?top=20`, ok: [200] }]);

      const crash = await fetch(`${host.url}/api/crash`, { method: 'POST' });
      const crashBody = await crash.text();
      expect([200, 503]).toContain(crash.status);
      if (crash.status === 200) expect(crashBody).toBe('bye');
      // The evidence that the worker is gone: the host logged its exit with the code the app's function chose.
      await until(
        'the exit of the worker logged',
        () => Promise.resolve(crashExits()),
        (exits) => exits > exitsBefore,
        STEP_MS,
      );

      // The built-in starter is the host's own: it answers at once, whether or not a worker is ready.
      const started = await post(`${host.url}/api/orchestrators/Chain/after-crash`, { n: 7 });
      expect(started.status).toBe(202);

      const answers: number[] = [];
      const missingRetryAfter: number[] = [];
      await until(
        "the app's own HTTP function answers 200",
        async () => {
          const pinged = await fetch(`${host.url}/api/ping`);
          answers.push(pinged.status);
          if (pinged.status === 503 && !pinged.headers.get('retry-after')) missingRetryAfter.push(answers.length);
          await pinged.arrayBuffer();
          return pinged.status;
        },
        (status) => status !== 503,
        STEP_MS,
      );
      const chain = await until(
        'the chain started during the restart to complete',
        () => statusOf(api, 'after-crash'),
        (s) => s.runtimeStatus === 'Completed',
        STEP_MS,
      );
      expect(chain.output).toEqual({ b: 28, faultResult: null });
      const { requests, failures } = await watch.stop();

      expect(answers.at(-1)).toBe(200);
      expect(answers.filter((s) => s !== 200 && s !== 503)).toEqual([]);
      expect(missingRetryAfter).toEqual([]);
      expect(failures).toEqual([]);
      expect(requests).toBeGreaterThan(0);
      expect(alive(host.child)).toBe(true);
      // Each wait below vitest's limit, so a state never reached is named (with its last value) instead of a timeout.
    },
    3 * STEP_MS + 30_000,
  );

  it('a synchronous endless loop is killed by the watchdog, counted, and quarantined; everything else goes on', async () => {
    const watch = watchManagementApi([{ url: `${api}/instances?top=20`, ok: [200] }]);
    await startChain(api, 'f-busy', { n: 2, fault: 'busy' });
    await startChain(api, 'beside-busy', { n: 9 });
    const busy = await until(
      'the busy instance to finish',
      () => statusOf(api, 'f-busy'),
      (s) => FINAL.has(s.runtimeStatus),
    );
    const { failures } = await watch.stop();
    expect(busy.runtimeStatus).toBe('Completed');
    expect(String((busy.output as { faultResult: string }).faultResult)).toContain(
      `ended its worker process ${MAX_DELIVERIES} times`,
    );
    expect((await statusOf(api, 'beside-busy')).output).toEqual({ b: 36, faultResult: null });
    expect(occurrences(host.output(), 'language-worker.unresponsive')).toBe(MAX_DELIVERIES);
    expect(failures).toEqual([]);
    expect(alive(host.child)).toBe(true);
  }, 180_000);
});

describe('a SIGKILLed host', () => {
  const hosts: RunningHost[] = [];
  afterAll(async () => {
    // The second host first: the first one's stop removes the folder that holds the shared SQLite file.
    for (const host of hosts.reverse()) await host.stop();
  });

  it('leaves no orphaned language worker, and a new host on the same SQLite file completes its instances', async () => {
    const first = await startHost(APP);
    hosts.push(first);
    const api = `${first.url}${WEBHOOK}`;
    const hostPid = first.child.pid!;
    const workerPid = await until(
      'the language worker found',
      () => Promise.resolve(languageWorkerOf(hostPid)),
      (pid) => pid !== undefined,
    );
    await eachLimited(
      Array.from({ length: 20 }, (_, n) => n),
      20,
      (n) => startChain(api, `k-${n}`, { n }),
    );
    // A hang stays in its Fault activity until functionTimeout (3 s): killed as soon as it is there, it is unfinished.
    await startChain(api, 'k-hang', { n: 2, fault: 'hang' });
    await until(
      'k-hang in its Fault activity',
      () =>
        fetch(`${api}/instances/k-hang?showHistory=true`).then(
          (r) => r.json() as Promise<{ historyEvents?: { EventType: string; Name?: string }[] }>,
        ),
      (s) => (s.historyEvents ?? []).some((e) => e.EventType === 'TaskScheduled' && e.Name === 'Fault'),
    );
    expect((await statusOf(api, 'k-hang')).runtimeStatus).toBe('Running');

    first.child.kill('SIGKILL');
    await until(
      'the host gone',
      () => Promise.resolve(alive(first.child)),
      (running) => !running,
      30_000,
    );
    // Gone, not only exited: a zombie still answers kill(pid, 0), and the new host frees a dead worker's locks at once
    // only when its pid is gone (else it waits out their lease). Whoever adopted the worker reaps it.
    await until(
      'the orphaned language worker gone',
      () => Promise.resolve(processState(workerPid!)),
      (state) => state === undefined,
      30_000,
      (state) => `it is still there in state ${state}`,
    );

    const second = await startHost(APP, { args: ['--store', `sqlite:${path.join(first.dir, 'hub.db')}`] });
    hosts.push(second);
    const api2 = `${second.url}${WEBHOOK}`;
    const done = await until(
      'the instances started before the kill completed',
      () => listAll(api2, 'k-'),
      allFinal(21),
      60_000,
      explainList(second),
    );
    const byId = new Map(done.map((s) => [s.instanceId, s]));
    const chains = Array.from({ length: 20 }, (_, n): [string, number] => [`k-${n}`, n]);
    expect(wrongChains(byId, chains)).toEqual([]);
    expect(byId.get('k-hang')?.runtimeStatus).toBe('Completed');
    const hang = byId.get('k-hang')?.output as { b: number; faultResult: string };
    expect(hang.b).toBe(8);
    expect(hang.faultResult).toContain('Timeout value of 00:00:03');
  }, 120_000);
});
