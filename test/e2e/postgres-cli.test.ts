// The CLI on PostgreSQL: `taskhub start --store postgres://…` serves an app from a shared hub, `taskhub worker`
// runs the same app's functions with no HTTP (the scale-out building block), and the client commands read the hub.
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import { startPgServer, type PgServer } from '../store/pg-server.js';
import { cliCommand, pollUntilDone, post, ROOT, startHost } from './host.js';

const run = promisify(execFile);
const HELLO = ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'];
const APP = path.join(ROOT, 'examples/hello-classic');
const HUB = 'CliHub';

let server: PgServer;
let store: PostgresStore;
beforeAll(async () => {
  server = await startPgServer();
  store = openPostgresStore({ connectionString: server.connectionString, hubName: HUB });
}, 120_000);
afterAll(async () => {
  await store?.close();
  await server?.stop();
});

describe('taskhub CLI on PostgreSQL', () => {
  it('start serves an app from a PostgreSQL hub', async () => {
    const host = await startHost(APP, { args: ['--store', server.connectionString, '--hub', HUB] });
    try {
      expect(host.output()).toContain('store PostgreSQL');
      const started = await post(`${host.url}/api/orchestrators/HelloOrchestrator`);
      expect(started.status).toBe(202);
      const done = await pollUntilDone(String(started.body.statusQueryGetUri));
      expect(done.body.output).toEqual(HELLO);
      const listed = await run(
        process.execPath,
        [...cliCommand(), 'list', '--store', server.connectionString, '--hub', HUB],
        {
          cwd: ROOT,
        },
      );
      expect(listed.stdout).toContain(String(started.body.id));
      expect(listed.stdout).toContain('Completed');
      // The dashboard's search and counts run on PostgreSQL too.
      const counts = (await (await fetch(`${host.url}/dashboard/api/counts`)).json()) as { counts: unknown };
      expect(counts.counts).toEqual({ Completed: 1 });
      const found = (await (await fetch(`${host.url}/dashboard/api/instances?name=helloorch`)).json()) as {
        instances: { instanceId: string }[];
      };
      expect(found.instances.map((i) => i.instanceId)).toEqual([started.body.id]);
    } finally {
      expect(await host.stop()).toBe(0);
    }
  });

  it('worker runs the functions of a hub with no HTTP host, and drains on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [...cliCommand(), 'worker', APP, '--store', server.connectionString, '--hub', HUB, '--lease-ms', '2000'],
      { cwd: ROOT, env: { ...process.env, TASKHUB_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      for (let i = 0; i < 600 && !output.includes('no HTTP'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(output).toContain('Taskhub worker');
      const ids = ['w-1', 'w-2', 'w-3'];
      for (const id of ids) {
        await store.createInstance({
          instanceId: id,
          executionId: `${id}-e1`,
          name: 'HelloOrchestrator',
          startEvent: {
            eventType: 'ExecutionStarted',
            eventId: -1,
            timestamp: new Date().toISOString(),
            name: 'HelloOrchestrator',
            instanceId: id,
            executionId: `${id}-e1`,
          },
        });
      }
      const deadline = Date.now() + 20_000;
      for (;;) {
        const page = await store.queryInstances({ instanceIdPrefix: 'w-', runtimeStatus: ['Completed'] });
        if (page.instances.length === ids.length) {
          for (const i of page.instances) expect(JSON.parse(i.output ?? 'null')).toEqual(HELLO);
          break;
        }
        if (Date.now() > deadline) throw new Error(`worker did not finish the instances:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('Stopped.');
    expect(await store.lockHolders()).toEqual([]);
  });
});
