// The servers the comparison needs, started and stopped by the harness itself on loopback only:
// PostgreSQL 15 (the project's test helper: initdb in a temp dir as the `postgres` user, fsync on, synchronous_commit
// on) and restate-server from its npm package (data in a temp dir, default configuration apart from addresses). Both
// are stopped and their dirs removed on Ctrl-C (SIGINT) or SIGTERM too (../../lib/interrupt.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync, closeSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { onInterrupt } from '../../lib/interrupt.js';
import { startPgServer, type PgServer } from '../../../test/store/pg-server.js';

export type { PgServer };
export { startPgServer };

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A fresh, empty database on the server; returns its connection string. */
export async function createDatabase(server: PgServer, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: server.connectionString });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name}`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return server.connectionString.replace(/\/[^/]*$/, `/${name}`);
}

export async function dropDatabase(server: PgServer, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.connectionString });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export async function pgSettings(server: PgServer): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: server.connectionString });
  await client.connect();
  try {
    const out: Record<string, string> = {};
    for (const name of ['server_version', 'fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes']) {
      const { rows } = await client.query<Record<string, string>>(`SHOW ${name}`);
      out[name] = rows[0]?.[name] ?? '?';
    }
    return out;
  } finally {
    await client.end();
  }
}

const require = createRequire(import.meta.url);

export function restateBinary(): string {
  // the npm package ships one binary per platform as an optional dependency; this machine is linux-x64
  const pkg = require.resolve('@restatedev/restate-server-linux-x64/package.json');
  return join(dirname(pkg), 'bin', 'restate-server');
}

/** Read from this package's node_modules directly: some packages do not export their package.json. */
export function packageVersion(name: string): string {
  const file = join(import.meta.dirname, '..', 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

async function waitFor(url: string, seconds: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (!alive()) throw new Error(`process exited before ${url} answered`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface RestateServer {
  readonly ingressUrl: string;
  /** The admin API; its /query endpoint answers SQL over the server's invocation table (W9's completion times). */
  readonly adminUrl: string;
  stop(): Promise<void>;
}

/**
 * A fresh restate-server (fresh data dir) plus the Node service endpoint, the endpoint registered through the admin
 * API. Server configuration is the default (single node, RocksDB WAL fsync on) apart from addresses, node name and
 * telemetry. Logs go to files in the temp dir and are printed if startup fails. The server's TMPDIR is inside that dir
 * too (it makes an `invoker-<id>` dir per partition there), so stop() or an interrupted run removes everything.
 */
export async function startRestate(): Promise<RestateServer> {
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-restate-'));
  const serverTmp = join(dir, 'tmp');
  mkdirSync(serverTmp);
  const [ingress, admin, fabric, endpoint] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const serverLog = openSync(join(dir, 'server.log'), 'a');
  const server = spawn(restateBinary(), ['--base-dir', join(dir, 'data'), '--no-logo'], {
    stdio: ['ignore', serverLog, serverLog],
    env: {
      ...process.env,
      TMPDIR: serverTmp,
      RESTATE_NODE_NAME: 'bench',
      RESTATE_BIND_ADDRESS: `127.0.0.1:${fabric}`,
      RESTATE_ADVERTISED_ADDRESS: `http://127.0.0.1:${fabric}/`,
      RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingress}`,
      RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${admin}`,
      RESTATE_DISABLE_TELEMETRY: 'true',
    },
  });
  closeSync(serverLog);
  const endpointLog = openSync(join(dir, 'endpoint.log'), 'a');
  let service: ChildProcess | undefined;
  let forget = (): void => undefined;
  const stop = async (): Promise<void> => {
    if (service) await stopChild(service);
    await stopChild(server);
    rmSync(dir, { recursive: true, force: true });
    forget();
  };
  forget = onInterrupt(stop);
  try {
    const serverAlive = () => server.exitCode === null;
    await waitFor(`http://127.0.0.1:${admin}/health`, 60, serverAlive);
    await waitFor(`http://127.0.0.1:${ingress}/restate/health`, 60, serverAlive);
    service = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'engines', 'restate-service.ts')], {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', endpointLog, endpointLog],
      env: { ...process.env, PORT: String(endpoint), RESTATE_LOGGING: 'WARN' },
    });
    closeSync(endpointLog);
    await register(`http://127.0.0.1:${admin}`, `http://127.0.0.1:${endpoint}`);
  } catch (err) {
    for (const f of ['server.log', 'endpoint.log']) {
      process.stderr.write(`--- ${f}\n${readFileSync(join(dir, f), 'utf8').slice(-4000)}\n`);
    }
    await stop();
    throw err;
  }
  return { ingressUrl: `http://127.0.0.1:${ingress}`, adminUrl: `http://127.0.0.1:${admin}`, stop };
}

/** POST /deployments, retried while the endpoint process is still starting. */
async function register(adminUrl: string, endpointUrl: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    let detail = '';
    try {
      const r = await fetch(`${adminUrl}/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uri: endpointUrl }),
      });
      if (r.ok) return;
      detail = `HTTP ${r.status} ${await r.text()}`;
    } catch (err) {
      detail = String(err);
    }
    if (Date.now() > deadline) throw new Error(`registering the Restate endpoint failed: ${detail}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
