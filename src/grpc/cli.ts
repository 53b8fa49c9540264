// The command line of the gRPC door: `taskhub serve-grpc --store …` (a task hub served to the official Durable Task
// SDKs, their workers included), and what `taskhub start --grpc [port]` adds beside an app (SDK clients only).
import type { Command } from 'commander';
import type { OpenedTaskHub } from '../hub.js';
import { openTaskHub } from '../hub.js';
import { isLoopback, loadKeys } from '../http/auth.js';
import { createLogger, type Logger } from '../log.js';
import { portOption, wholeNumberOption } from '../cli/numeric-option.js';
import { drainOnSignal } from '../cli/drain.js';
import { print, printError } from '../cli/output.js';
import { openStoreOption, parseStoreOption } from '../cli/store-option.js';
import { DEFAULT_GRPC_PORT, startGrpcServer, type RunningGrpcServer } from './server.js';

export interface ServeGrpcOptions {
  readonly store: string;
  readonly hub?: string;
  readonly port?: string;
  readonly host?: string;
  readonly keysFile?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly leaseMs?: string;
}

/** Adds `serve-grpc` to the command line. */
export function registerGrpcCommands(program: Command): void {
  program
    .command('serve-grpc')
    .description(
      'Serve a task hub over the Durable Task gRPC protocol (TaskHubSidecarService): official Durable Task SDK ' +
        'clients and workers use it as they use the Durable Task Scheduler',
    )
    .requiredOption('--store <store>', 'sqlite:<file> or postgres://…')
    .option('--hub <name>', 'task hub name (default TestHubName)')
    .option('-p, --port <port>', `port to listen on (default ${String(DEFAULT_GRPC_PORT)})`)
    .option('--host <host>', 'address to bind (anything but loopback requires a key)', '127.0.0.1')
    .option('--keys-file <file>', 'file with accepted keys, one per line (or env TASKHUB_KEY)')
    .option('--tls-cert <file>', 'PEM certificate: serve TLS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--lease-ms <ms>', 'lock lease of work out on SDK streams (default 30000)')
    .action((options: ServeGrpcOptions) => serveGrpcCommand(options));
}

export async function serveGrpcCommand(options: ServeGrpcOptions): Promise<void> {
  const logger = createLogger();
  const host = options.host ?? '127.0.0.1';
  const port = portOption(options.port) ?? DEFAULT_GRPC_PORT;
  const leaseMs = wholeNumberOption('--lease-ms', options.leaseMs, { min: 100, unit: 'ms' });
  const hubName = options.hub ?? 'TestHubName';
  const tls = tlsOption(options);
  const spec = parseStoreOption(options.store, process.cwd());
  const hub = await openTaskHub({
    store: await openStoreOption(spec, hubName),
    hubName,
    worker: false,
    logger,
    waitForStore: true,
  });
  let server: RunningGrpcServer;
  try {
    server = await startGrpcServer({
      store: hub.store,
      logger,
      host,
      port,
      keys: isLoopback(host) ? [] : loadKeys({ ...(options.keysFile ? { keysFile: options.keysFile } : {}) }),
      ...(tls ? { tls } : {}),
      ...(leaseMs === undefined ? {} : { leaseMs }),
    });
  } catch (err) {
    await hub.close();
    throw err;
  }
  print(`Taskhub: task hub ${hub.name} (store ${spec.kind === 'sqlite' ? spec.file : 'PostgreSQL'})`);
  print(`Durable Task gRPC endpoint: ${tls ? 'https' : 'http'}://${server.address} (TaskHubSidecarService)`);
  print('Press Ctrl-C to stop.');
  // Work out on SDK streams is handed back to the task hub when the server closes.
  drainOnSignal(server, hub, logger);
}

/**
 * `taskhub start --grpc [port]`: the gRPC endpoint beside the app's HTTP host, on the host's own hub. SDK clients
 * start, query, raise events to, suspend, resume, terminate and purge the app's instances; GetWorkItems is refused,
 * because the app's worker runs this hub's orchestrations (see docs/grpc.md).
 */
export async function startGrpcForApp(
  hub: OpenedTaskHub,
  port: string | boolean | undefined,
  options: {
    readonly host: string;
    readonly keys: readonly string[];
    readonly logger: Logger;
    readonly wake: () => void;
  },
): Promise<RunningGrpcServer | undefined> {
  if (port === undefined || port === false) return undefined;
  const grpcPort = port === true ? DEFAULT_GRPC_PORT : (portOption(port) ?? DEFAULT_GRPC_PORT);
  try {
    const server = await startGrpcServer({
      store: hub.store,
      logger: options.logger,
      host: options.host,
      port: grpcPort,
      keys: options.keys,
      workItems: false,
      knownOrchestrations: (name) => hub.registry.getOrchestration(name) !== undefined,
      onClientWrite: options.wake,
    });
    print(`Durable Task gRPC endpoint (SDK clients): http://${server.address}`);
    return server;
  } catch (err) {
    // The app is served without it: listed, never fatal.
    printError(`Durable Task gRPC endpoint not served (port ${String(grpcPort)}): ${(err as Error).message}`);
    return undefined;
  }
}

function tlsOption(options: ServeGrpcOptions): { certFile: string; keyFile: string } | undefined {
  if (options.tlsCert === undefined && options.tlsKey === undefined) return undefined;
  if (!options.tlsCert || !options.tlsKey) throw new Error('--tls-cert and --tls-key go together.');
  return { certFile: options.tlsCert, keyFile: options.tlsKey };
}
