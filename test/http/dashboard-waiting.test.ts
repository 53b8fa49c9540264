// The dashboard API's Taskhub extensions over real HTTP on loopback, against a hub running orchestrations on a real
// SQLite file: "waiting for" on an instance's detail and on the list's Running rows (a timer, a retried activity in
// its second attempt, a held entity lock), the history export `taskhub replay` reads, bulk actions on explicit ids and
// never without a filter, and starting an instance refused when read-only.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppDefinition } from '../../src/app/app-definition.js';
import type { WaitingFor } from '../../src/client/waiting-for.js';
import type { OrchestrationContext } from '../../src/core/context.js';
import { EntityId } from '../../src/core/entity-id.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { RetryOptions } from '../../src/core/retry-options.js';
import { openTaskHub } from '../../src/hub.js';
import type { TaskHub } from '../../src/hub-types.js';
import { startHttpHost, type RunningHttpHost } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { until } from '../until.js';
import { cliCommand } from '../e2e/host.js';

const dir = mkdtempSync(join(tmpdir(), 'taskhub-dashboard-waiting-'));
let hub: TaskHub;
let http: RunningHttpHost;
let readOnly: RunningHttpHost;
let openGate: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (openGate = resolve));
let gateCalls = 0;

function registry(): FunctionRegistry {
  const r = new FunctionRegistry();
  // Fails its first call; the second waits for the test to open the gate.
  r.registerActivity('Gate', async () => {
    if (++gateCalls === 1) throw new Error('not yet');
    await gate;
    return 'through';
  });
  r.registerEntity('Counter', (context) => {
    context.df.setState(Number(context.df.getState(() => 0)) + 1);
  });
  r.registerOrchestration('Sleeps', function* (ctx: OrchestrationContext) {
    yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 3_600_000));
  });
  r.registerOrchestration('Retries', function* (ctx: OrchestrationContext) {
    return yield ctx.df.callActivityWithRetry('Gate', new RetryOptions(10, 3), 'x');
  });
  r.registerOrchestration('Locks', function* (ctx: OrchestrationContext) {
    yield ctx.df.lock(new EntityId('Counter', 'a'));
    return yield ctx.df.waitForExternalEvent('Go');
  });
  r.registerOrchestration('Quick', function* () {
    return 'done';
  });
  return r;
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** `taskhub <args>` as a child process, from a folder with no app in it. */
function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...cliCommand(), ...args],
      { cwd: dir, env: { ...process.env, TASKHUB_LOG_LEVEL: 'warn', NO_COLOR: '1' } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function detail(id: string): Promise<{ instance: { runtimeStatus: string }; waitingFor?: WaitingFor }> {
  return (await getJson(`${http.url}/dashboard/api/instances/${id}`)).body as never;
}

beforeAll(async () => {
  hub = await openTaskHub({
    store: join(dir, 'hub.db'),
    registry: registry(),
    logger: createLogger({ level: 'silent' }),
  });
  await hub.start();
  const options = { hub, app: new AppDefinition(), logger: createLogger({ level: 'silent' }), port: 0 };
  http = await startHttpHost(options);
  readOnly = await startHttpHost({ ...options, readOnly: true });
  for (const [name, id] of [
    ['Sleeps', 'sleeps'],
    ['Retries', 'retries'],
    ['Locks', 'locks'],
    ['Quick', 'quick'],
  ]) {
    await hub.client.startNew(name!, { instanceId: id });
  }
  await until(async () => (await detail('sleeps')).waitingFor?.items.length === 1, { what: 'the timer' });
  await until(async () => (await detail('quick')).instance.runtimeStatus === 'Completed', { what: 'quick' });
});

afterAll(async () => {
  openGate();
  await http?.close();
  await readOnly?.close();
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('waiting for', () => {
  it('names the timer a Running instance waits for, with its due time', async () => {
    const { waitingFor } = await detail('sleeps');
    expect(waitingFor?.onlyExternalEvents).toBe(false);
    const [timer] = waitingFor!.items;
    expect(timer).toMatchObject({ kind: 'timer' });
    const due = Date.parse((timer as { fireAt: string }).fireAt);
    expect(due - Date.now()).toBeGreaterThan(3_000_000);
  });

  it('counts the attempt of an activity a retry policy called again', async () => {
    await until(() => gateCalls === 2, { what: 'the second call of Gate' });
    const { waitingFor } = await detail('retries');
    expect(waitingFor?.items).toEqual([
      expect.objectContaining({ kind: 'activity', name: 'Gate', attempt: 2, maxAttempts: 3 }),
    ]);
  });

  it('says which entity lock an instance holds, and that only an external event can wake it', async () => {
    await until(async () => (await detail('locks')).waitingFor?.items[0]?.kind === 'entityLock', {
      what: 'the lock',
    });
    await until(
      async () => {
        const item = (await detail('locks')).waitingFor?.items[0];
        return item?.kind === 'entityLock' && item.state === 'held';
      },
      { what: 'the lock to be granted' },
    );
    const { waitingFor } = await detail('locks');
    expect(waitingFor).toEqual({
      items: [{ kind: 'entityLock', entities: ['@counter@a'], state: 'held' }],
      onlyExternalEvents: true,
    });
  });

  it('adds waitingFor to Running rows of the list only, and leaves it out on request', async () => {
    const { body } = await getJson(`${http.url}/dashboard/api/instances?top=50`);
    const rows = body.instances as { instanceId: string; waitingFor?: WaitingFor }[];
    const byId = new Map(rows.map((r) => [r.instanceId, r]));
    expect(byId.get('sleeps')?.waitingFor?.items[0]?.kind).toBe('timer');
    expect(byId.get('quick')).not.toHaveProperty('waitingFor');
    expect((await detail('quick')).waitingFor).toBeUndefined();
    const bare = await getJson(`${http.url}/dashboard/api/instances?top=50&waitingFor=false`);
    expect((bare.body.instances as object[]).some((r) => 'waitingFor' in r)).toBe(false);
  });
});

describe('waiting for in the status API and taskhub status', () => {
  const statusUrl = (id: string, query = '') => `${http.url}/runtime/webhooks/durabletask/instances/${id}${query}`;

  it('adds waitingFor only with showWaitingFor=true, null for an instance that waits for nothing', async () => {
    await until(() => gateCalls === 2, { what: 'the second call of Gate' });
    const plain = await getJson(statusUrl('retries'));
    expect(plain.status).toBe(202);
    expect(plain.body).not.toHaveProperty('waitingFor');
    const withHistory = await getJson(statusUrl('retries', '?showHistory=true'));
    expect(withHistory.body).not.toHaveProperty('waitingFor');
    const asked = await getJson(statusUrl('retries', '?showWaitingFor=true'));
    expect(asked.body.waitingFor).toEqual({
      items: [expect.objectContaining({ kind: 'activity', name: 'Gate', attempt: 2, maxAttempts: 3 })],
      onlyExternalEvents: false,
    });
    expect((await getJson(statusUrl('quick', '?showWaitingFor=true'))).body.waitingFor).toBeNull();
    const bad = await fetch(statusUrl('quick', '?showWaitingFor=maybe'));
    expect(bad.status).toBe(400);
  });

  it('taskhub status prints "Waiting for" from a host and from the store, and --json carries it', async () => {
    await until(() => gateCalls === 2, { what: 'the second call of Gate' });
    for (const target of [
      ['--url', http.url],
      ['--store', `sqlite:${join(dir, 'hub.db')}`],
    ]) {
      const text = await cli(['status', 'retries', ...target]);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^Waiting for: +activity Gate \(scheduled \S+Z, attempt 2 of 3\)$/m);
      const json = await cli(['status', 'retries', '--json', ...target]);
      expect((JSON.parse(json.stdout) as { waitingFor: WaitingFor }).waitingFor.items[0]).toMatchObject({
        kind: 'activity',
        attempt: 2,
        maxAttempts: 3,
      });
      const locks = await cli(['status', 'locks', ...target]);
      expect(locks.stdout).toMatch(/^Waiting for: +lock on @counter@a \(held\)$/m);
      expect(locks.stdout).toMatch(/^ +an external event \(waitForExternalEvent records no name in the history\)$/m);
    }
  });
});

describe('export', () => {
  it('serves the history as the file taskhub replay reads, as a download', async () => {
    const { status, body, headers } = await getJson(`${http.url}/dashboard/api/instances/quick/export`);
    expect(status).toBe(200);
    expect(headers.get('content-disposition')).toBe('attachment; filename="quick.history.json"');
    expect(body).toMatchObject({
      format: 'taskhub-history/1',
      instanceId: 'quick',
      name: 'Quick',
      runtimeStatus: 'Completed',
    });
    const types = (body.history as { eventType: string }[]).map((e) => e.eventType);
    expect(types[0]).toBe('OrchestratorStarted');
    expect(types).toContain('ExecutionCompleted');
    expect((await getJson(`${http.url}/dashboard/api/instances/nope/export`)).status).toBe(404);
    // Reading is allowed read-only.
    expect((await getJson(`${readOnly.url}/dashboard/api/instances/quick/export`)).status).toBe(200);
  });
});

describe('bulk and start', () => {
  const bulk = (base: string, op: string, query: string, body: unknown) =>
    fetch(`${base}/dashboard/api/bulk/${op}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses a bulk action with neither a filter nor a selection, and changes nothing', async () => {
    const response = await bulk(http.url, 'terminate', '', {});
    expect(response.status).toBe(400);
    expect(((await response.json()) as { Message: string }).Message).toContain('needs a filter');
    expect((await detail('sleeps')).instance.runtimeStatus).toBe('Running');
  });

  it('acts on exactly the selected instances', async () => {
    const bad = await bulk(http.url, 'suspend', '', { instanceIds: 'sleeps' });
    expect(bad.status).toBe(400);
    const response = await bulk(http.url, 'suspend', '?name=Retries', { instanceIds: ['sleeps'] });
    expect(await response.json()).toMatchObject({ matched: 1, succeeded: 1, failedCount: 0 });
    await until(async () => (await detail('sleeps')).instance.runtimeStatus === 'Suspended', { what: 'suspended' });
    expect((await detail('retries')).instance.runtimeStatus).toBe('Running');
    // A suspended instance still says what it will wait for once resumed.
    expect((await detail('sleeps')).waitingFor?.items[0]?.kind).toBe('timer');
  });

  it('starts an instance through the start route, refused read-only', async () => {
    const refused = await fetch(`${readOnly.url}/runtime/webhooks/durabletask/orchestrators/Quick/ro-1`, {
      method: 'POST',
    });
    expect(refused.status).toBe(403);
    expect(await hub.store.getInstance('ro-1')).toBeUndefined();
    const started = await fetch(`${http.url}/runtime/webhooks/durabletask/orchestrators/Quick/rw-1`, {
      method: 'POST',
    });
    expect(started.status).toBe(202);
    const info = await getJson(`${http.url}/dashboard/api/info`);
    expect(info.body.orchestrations).toEqual(expect.arrayContaining(['Sleeps', 'Retries', 'Locks', 'Quick']));
  });
});
