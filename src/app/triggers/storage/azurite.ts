// Azurite, Microsoft's storage emulator, for apps whose storage bindings use the development account
// (`UseDevelopmentStorage=true`). An Azurite already listening is used as it is; otherwise the host process starts
// one (the optional `azurite` npm package) as a child it owns, with its data under the app's `.taskhub/azurite/`,
// and stops it with the host. The language worker, which restarts, never owns it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../../../log.js';
import { developmentEndpoints, type DevelopmentEndpoints } from './connection.js';

export const StorageLogEvents = {
  azuriteStarted: 'storage.azurite-started',
  azuriteFailed: 'storage.azurite-failed',
  azuriteExited: 'storage.azurite-exited',
  azuriteTakenOver: 'storage.azurite-taken-over',
  queuePollFailed: 'storage.queue-poll-failed',
  queueMessageFailed: 'storage.queue-message-failed',
  queueMessagePoisoned: 'storage.queue-message-poisoned',
  blobScanFailed: 'storage.blob-scan-failed',
  blobTriggerFailed: 'storage.blob-trigger-failed',
  blobPoisoned: 'storage.blob-poisoned',
} as const;

export interface AzuriteOptions {
  /** Folder for Azurite's data (created when missing). */
  readonly location: string;
  /** Ports on 127.0.0.1; 0 picks a free one. */
  readonly blobPort: number;
  readonly queuePort: number;
  readonly tablePort: number;
}

export interface RunningAzurite {
  readonly blobPort: number;
  readonly queuePort: number;
  readonly tablePort: number;
  /** The watchdog process that runs Azurite (ending it ends Azurite). */
  readonly pid: number | undefined;
  /** SIGTERM, then waits for the exit. */
  close(): Promise<void>;
}

/** The Azurite entry script of the optional `azurite` package, or undefined when it is not installed. */
export function azuriteScript(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return path.join(path.dirname(require.resolve('azurite/package.json')), 'dist/src/azurite.js');
  } catch {
    return undefined;
  }
}

/**
 * The watchdog (run with `node -e`; argv: Azurite's script and arguments): runs Azurite with the watchdog's stdout
 * and stderr, and ends it (SIGTERM, SIGKILL 5 s later) when the watchdog's stdin closes, which happens when the
 * process that started it dies however it dies, or when the watchdog gets SIGTERM or SIGINT. It exits with Azurite.
 */
const WATCHDOG = `
const { spawn } = require('node:child_process');
const azurite = spawn(process.execPath, process.argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
let ending = false;
const end = () => {
  if (ending) return;
  ending = true;
  azurite.kill('SIGTERM');
  setTimeout(() => azurite.kill('SIGKILL'), 5000).unref();
};
process.stdin.on('data', () => {});
process.stdin.on('end', end);
process.stdin.on('close', end);
process.stdin.on('error', end);
process.on('SIGTERM', end);
process.on('SIGINT', end);
azurite.on('error', (err) => { console.error(err.message); process.exit(1); });
azurite.on('exit', (code) => process.exit(code ?? 1));
`;

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/g;

/**
 * Starts Azurite (blob, queue and table) bound to 127.0.0.1, without telemetry (no traffic leaves the machine),
 * and resolves once all three services listen. Rejects with Azurite's own output when it exits first or stays silent
 * for 60 s. The child is also killed if this process exits without closing it.
 */
export async function startAzurite(options: AzuriteOptions): Promise<RunningAzurite> {
  const script = azuriteScript();
  if (!script) {
    throw new Error('the azurite package is not installed (npm install azurite)');
  }
  mkdirSync(options.location, { recursive: true });
  // Azurite runs under a watchdog whose stdin is a pipe from this process: however this process ends (SIGKILL
  // included), the pipe closes and the watchdog ends Azurite, so it never stays orphaned on its ports.
  const child = spawn(
    process.execPath,
    [
      '-e',
      WATCHDOG,
      script,
      '--silent',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--location',
      options.location,
      '--blobHost',
      '127.0.0.1',
      '--queueHost',
      '127.0.0.1',
      '--tableHost',
      '127.0.0.1',
      '--blobPort',
      String(options.blobPort),
      '--queuePort',
      String(options.queuePort),
      '--tablePort',
      String(options.tablePort),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  // Nothing is ever written: the pipe only tells the watchdog this process is alive.
  child.stdin.on('error', () => undefined);
  const killOnExit = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => process.removeListener('exit', killOnExit));

  let output = '';
  const ports = new Map<string, number>();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Azurite did not listen within 60 s:\n${output}`)), 60_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        for (const match of output.matchAll(LISTENING)) ports.set(match[1]!, Number(match[2]));
        if (ports.size === 3) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`Azurite exited with code ${String(child.exitCode)}:\n${output}`));
      });
    });
  } catch (err) {
    await stop(child, exited);
    throw err;
  }
  // Keep draining its output (it is silent, but an error would otherwise fill the pipe).
  child.stdout.resume();
  child.stderr.resume();
  return {
    blobPort: ports.get('Blob')!,
    queuePort: ports.get('Queue')!,
    tablePort: ports.get('Table')!,
    pid: child.pid,
    close: () => stop(child, exited),
  };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
}

/** Whether something accepts TCP connections at the URL's host and port (a short loopback probe). */
export function isListening(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface DevelopmentStorage {
  /** Banner lines, one per development account (`Storage: Azurite (started by Taskhub) at http://…`). */
  readonly banner: readonly string[];
  /** Stops the Azurite this host started, if any. Never rejects. */
  close(): Promise<void>;
}

/**
 * Makes sure Azurite serves each development account among `connectionStrings` (the accounts of the app's storage
 * triggers and bindings): one already listening is used; else Azurite is started on the account's ports, its data in
 * `<root>/.taskhub/azurite/`. A failure to start is logged and leaves the rest of the app running: the storage
 * functions then log their connection errors until some Azurite answers.
 */
export async function startDevelopmentStorage(
  connectionStrings: readonly string[],
  root: string,
  logger: Logger,
): Promise<DevelopmentStorage> {
  const seen = new Map<string, DevelopmentEndpoints>();
  for (const connectionString of connectionStrings) {
    const endpoints = developmentEndpoints(connectionString);
    if (endpoints) seen.set(`${endpoints.blob.host}|${endpoints.queue.host}`, endpoints);
  }
  const banner: string[] = [];
  const started: RunningAzurite[] = [];
  const watchers: AzuriteWatcher[] = [];
  const location = path.join(root, '.taskhub', 'azurite');
  for (const endpoints of seen.values()) {
    const [blobUp, queueUp] = await Promise.all([isListening(endpoints.blob), isListening(endpoints.queue)]);
    if (blobUp && queueUp) {
      banner.push(`Storage: Azurite at ${endpoints.blob.origin} (blob), ${endpoints.queue.origin} (queue)`);
      watchers.push(new AzuriteWatcher(endpoints, location, logger, (azurite) => started.push(azurite)));
      continue;
    }
    if (blobUp || queueUp) {
      const up = blobUp ? endpoints.blob : endpoints.queue;
      const down = blobUp ? endpoints.queue : endpoints.blob;
      logger.error(
        { event: StorageLogEvents.azuriteFailed },
        `something listens at ${up.origin} but not at ${down.origin}; Taskhub starts Azurite only when both ports ` +
          'are free. Start Azurite yourself, or free the port.',
      );
      banner.push(`Storage: development storage at ${up.origin} is incomplete (nothing at ${down.origin})`);
      continue;
    }
    try {
      const azurite = await startAzurite(azuriteOptionsFor(endpoints, location));
      started.push(azurite);
      logger.info(
        { event: StorageLogEvents.azuriteStarted, pid: azurite.pid, blobPort: azurite.blobPort },
        'started Azurite',
      );
      banner.push(`Storage: Azurite (started by Taskhub) at http://127.0.0.1:${String(azurite.blobPort)}`);
    } catch (err) {
      logger.error(
        { event: StorageLogEvents.azuriteFailed, err },
        `could not start Azurite for ${endpoints.blob.origin}: ${(err as Error).message}`,
      );
      banner.push(`Storage: nothing listens at ${endpoints.blob.origin} and Azurite could not be started`);
    }
  }
  return {
    banner,
    async close() {
      await Promise.allSettled(watchers.map((w) => w.close()));
      await Promise.allSettled(started.map((a) => a.close()));
    },
  };
}

function azuriteOptionsFor(endpoints: DevelopmentEndpoints, location: string): AzuriteOptions {
  return {
    location,
    blobPort: Number(endpoints.blob.port),
    queuePort: Number(endpoints.queue.port),
    tablePort: endpoints.table ? Number(endpoints.table.port) : 0,
  };
}

/**
 * Watches an Azurite this process found (another `taskhub start` or `taskhub worker` may own it) through an idle
 * TCP connection to its queue port: when the connection closes and neither port answers any more (its owner
 * stopped), starts Azurite on the same ports with the same data folder, once, logging it once. While Azurite still
 * answers (it closed an idle connection) the watch reconnects; when another survivor won the race to start it, the
 * start fails on the ports in use and the watch goes on with that one.
 */
class AzuriteWatcher {
  #socket: net.Socket | undefined;
  #closed = false;
  #work: Promise<void> = Promise.resolve();

  constructor(
    private readonly endpoints: DevelopmentEndpoints,
    private readonly location: string,
    private readonly logger: Logger,
    private readonly onStarted: (azurite: RunningAzurite) => void,
  ) {
    this.#connect();
  }

  #connect(): void {
    if (this.#closed) return;
    const connectedAt = Date.now();
    const socket = net.connect({
      host: this.endpoints.queue.hostname.replace(/^\[|\]$/g, ''),
      port: Number(this.endpoints.queue.port),
    });
    this.#socket = socket;
    socket.on('error', () => undefined);
    socket.setKeepAlive(true);
    socket.once('close', () => {
      if (this.#closed) return;
      // A connection Azurite ends at once (or refuses) is tried again a second later, not in a tight loop.
      const wait = Math.max(0, 1000 - (Date.now() - connectedAt));
      this.#work = this.#work
        .then(() => this.#check(wait))
        .catch((err: unknown) => {
          this.logger.error({ event: StorageLogEvents.azuriteFailed, err }, 'watching Azurite failed');
        });
    });
  }

  async #check(wait: number): Promise<void> {
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
    if (this.#closed) return;
    const [blobUp, queueUp] = await Promise.all([isListening(this.endpoints.blob), isListening(this.endpoints.queue)]);
    if (!blobUp && !queueUp && !this.#closed) {
      try {
        const azurite = await startAzurite(azuriteOptionsFor(this.endpoints, this.location));
        if (this.#closed) {
          await azurite.close();
          return;
        }
        this.onStarted(azurite);
        this.logger.warn(
          { event: StorageLogEvents.azuriteTakenOver, pid: azurite.pid, blobPort: azurite.blobPort },
          `Azurite at ${this.endpoints.blob.origin} stopped (its owner ended); started Azurite (started by Taskhub) ` +
            `with data in ${this.location}`,
        );
        return; // This process owns it now: it stops with this process.
      } catch (err) {
        // Most often another survivor started it first; the watch goes on with that one.
        this.logger.debug({ event: StorageLogEvents.azuriteFailed, err }, 'Azurite not started by this process');
      }
    }
    this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#socket?.destroy();
    await this.#work;
  }
}
