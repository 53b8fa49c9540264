// Starts a private, throw-away PostgreSQL 15 for tests: initdb into a fresh temp dir, a free loopback port, trust
// auth, fsync on. PostgreSQL refuses to run as root, so under root the server commands run as the `postgres` OS user.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgServer {
  /** postgresql://postgres@127.0.0.1:<port>/<database> */
  readonly connectionString: string;
  readonly port: number;
  stop(): Promise<void>;
  /** `pg_ctl restart -m fast`: every connection is terminated (57P01), the server comes back on the same port. */
  restart(): Promise<void>;
  /** `pg_ctl stop -m fast`, keeping the data: the server is down until start(). */
  halt(): Promise<void>;
  /** Starts a server stopped by halt(). */
  start(): Promise<void>;
}

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

function freePort(): Promise<number> {
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

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export async function startPgServer(database = 'taskhub'): Promise<PgServer> {
  for (const bin of ['initdb', 'pg_ctl', 'createdb']) {
    if (!existsSync(join(PG_BIN, bin))) {
      throw new Error(
        `PostgreSQL 15 is needed for these tests but ${join(PG_BIN, bin)} is missing. ` +
          'Install postgresql-15 (Debian: apt-get install postgresql-15) or set PG_BIN to its bin directory.',
      );
    }
  }
  const user = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'taskhub-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  writeFileSync(log, '');
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(log, user.uid, user.gid);
  }
  chmodSync(dir, 0o700);
  const run = (bin: string, args: string[]): string => {
    const [cmd, argv] = user
      ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]]
      : [join(PG_BIN, bin), args];
    try {
      return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${bin} failed: ${e.stderr ?? ''}${e.stdout ?? ''}${e.message}`, { cause: err });
    }
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C']);
  const port = await freePort();
  appendFileSync(
    join(data, 'postgresql.conf'),
    [
      '',
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${dir}'`,
      'fsync = on',
      'synchronous_commit = on',
      'max_connections = 200',
      '',
    ].join('\n'),
  );
  try {
    run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', 'start']);
    run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  // Asynchronous, so the test's own event loop (its child processes' output, its clients) keeps running meanwhile.
  const runAsync = async (bin: string, args: string[]): Promise<void> => {
    const [cmd, argv] = user
      ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]]
      : [join(PG_BIN, bin), args];
    await promisify(execFile)(cmd, argv, { encoding: 'utf8' });
  };
  let stopped = false;
  const stopNow = (): void => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stopNow);
    try {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // A test process that ends without stop() (a failed beforeAll, an uncaught error) must not leave a server behind.
  process.on('exit', stopNow);
  return {
    connectionString: `postgresql://postgres@127.0.0.1:${port}/${database}`,
    port,
    stop() {
      stopNow();
      return Promise.resolve();
    },
    restart: () => runAsync('pg_ctl', ['-D', data, '-l', log, '-m', 'fast', '-w', '-t', '60', 'restart']),
    halt: () => runAsync('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']),
    start: () => runAsync('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', 'start']),
  };
}
