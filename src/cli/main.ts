// The `taskhub` command line: serve an app (`start`), scaffold one (`new`), and drive instances (list, status, raise,
// terminate, suspend, resume, rewind, restart, purge) on a running host or directly on a store.
import { Command } from 'commander';
import { isTaskhubError } from '../core/errors.js';
import type { TargetOptions } from './client-target.js';
import { registerClientCommands, withTarget } from './client-commands.js';
import { registerDoctorCommand } from './doctor.js';
import { exportCommand } from './export.js';
import { applyLogOptions, withLogOptions, type LogOptions } from './log-options.js';
import { newCommand, type NewOptions } from './new.js';
import { printError } from './output.js';
import { registerPurgeCommand } from './purge.js';
import { replayCommand } from './replay.js';
import { startCommand, type StartOptions } from './start.js';
import { TASKHUB_VERSION } from './version.js';
import { dashboardCommand, type DashboardOptions } from './dashboard.js';
import { workerCommand, type WorkerCommandOptions } from './worker.js';
import { registerGrpcCommands } from '../grpc/cli.js';

// `taskhub list | head`: the reader went away, which ends the command quietly rather than with an EPIPE trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const RETENTION_HELP =
  'purge finished instances older than this in the background: 7d, or Completed=7d,Failed=30d,Terminated=7d ' +
  "(replaces host.json's retention ages; see docs/operations.md)";

const program = new Command();
program
  .name('taskhub')
  .description('Durable Functions for TypeScript, self-hosted: serve Azure Durable Functions apps unchanged.')
  .version(TASKHUB_VERSION);

withLogOptions(program.command('start'))
  .description('Serve an app (a function.json folder, a code-first folder, or an entry file) over HTTP')
  .argument('[path]', 'app folder or entry file (.ts, .js, .mjs, .cjs)', '.')
  .option('-p, --port <port>', 'port to listen on (default: env PORT, else 7071)')
  .option('--host <host>', 'address to bind (anything but loopback requires a key)', '127.0.0.1')
  .option('--store <store>', 'sqlite:<file> (default <app>/.taskhub/taskhub.db) or postgres://…')
  .option('--hub <name>', 'task hub name (default: host.json hubName, else TestHubName)')
  .option('--keys-file <file>', 'file with accepted keys, one per line (or env TASKHUB_KEY)')
  .option('--max-body-bytes <bytes>', 'largest request body accepted (default 1048576)')
  .option('--read-only', 'the dashboard, management API and starter change nothing (403 to every mutating request)')
  .option('--public-url <url>', 'where callers reach this host (e.g. behind a proxy); handed-out URLs start with it')
  .option('--grpc [port]', 'also serve Durable Task SDK clients over gRPC (TaskHubSidecarService; default port 4001)')
  .option('--retention <ages>', RETENTION_HELP)
  .action((appPath: string, options: StartOptions & LogOptions) => {
    applyLogOptions(options);
    return startCommand(appPath, options);
  });

registerGrpcCommands(program);

program
  .command('dashboard')
  .description('Serve the web dashboard (and management API) for a store, without running any functions')
  .option('--app <path>', 'the app folder (default: the folder with host.json here or above)')
  .option('--store <store>', "sqlite:<file> or postgres://… (default: the app's store)")
  .option('--hub <name>', "task hub name (default: the app's host.json hubName, else TestHubName)")
  .option('-p, --port <port>', 'port to listen on', '7072')
  .option('--host <host>', 'address to bind (anything but loopback requires a key)', '127.0.0.1')
  .option('--keys-file <file>', 'file with accepted keys, one per line (or env TASKHUB_KEY)')
  .option('--read-only', 'change nothing (403 to every mutating request)')
  .option('--public-url <url>', 'where callers reach this host (e.g. behind a proxy); handed-out URLs start with it')
  .action((options: DashboardOptions) => dashboardCommand(options));

withLogOptions(program.command('worker'))
  .description(
    "Run an app's orchestrations and activities from a shared task hub, without HTTP (add workers to scale out)",
  )
  .argument('[path]', 'app folder or entry file (.ts, .js, .mjs, .cjs)', '.')
  .option(
    '--store <store>',
    'postgres://… (shared by every worker) or sqlite:<file> (default <app>/.taskhub/taskhub.db)',
  )
  .option('--hub <name>', 'task hub name (default: host.json hubName, else TestHubName)')
  .option('--lease-ms <ms>', 'lock lease: how soon another worker takes over from a dead one (default 30000)')
  .option('--retention <ages>', RETENTION_HELP)
  .action((appPath: string, options: WorkerCommandOptions & LogOptions) => {
    applyLogOptions(options);
    return workerCommand(appPath, options);
  });

program
  .command('new')
  .description('Create an app from a template: HTTP starter, orchestrator and activity')
  .argument('<dir>', 'folder to create')
  .option('--js', 'JavaScript instead of TypeScript')
  .option('--classic', 'classic function.json layout (JavaScript)')
  .option('--force', 'write into a folder that is not empty')
  .option(
    '--taskhub <spec>',
    "the app's dependency on Taskhub, as npm takes it (default: the Taskhub running this command: its folder, or the " +
      'tarball or folder your project installed it from)',
  )
  .action((dir: string, options: NewOptions) => newCommand(dir, options));

registerClientCommands(program);
registerPurgeCommand(program);
registerDoctorCommand(program);

withTarget(program.command('export'))
  .description("Print an instance's name, input and raw history as JSON (for `taskhub replay`)")
  .argument('<instanceId>')
  .action((instanceId: string, options: TargetOptions) => exportCommand(instanceId, options));

program
  .command('replay')
  .description("Replay an exported history against the app's current code: success or the first divergence")
  .argument('<history>', 'a file written by `taskhub export`')
  .argument('[app]', 'app folder or entry file', '.')
  .option('--json', 'print the report as JSON')
  .action((file: string, app: string, options: { json?: boolean }) => replayCommand(file, app, options));

/** The plain-words hint for errors the operating system words (a port in use, a refused connection). */
function hintFor(err: unknown): string {
  const { code, port, address } = (err ?? {}) as { code?: string; port?: number; address?: string };
  if (code === 'EADDRINUSE') {
    return ` Another program already listens on ${address ?? ''}:${String(port ?? '')}: stop it, or pick another port with --port <port> (or the PORT environment variable).`;
  }
  if (code === 'ECONNREFUSED') {
    return ` Nothing accepts connections at ${address ?? ''}:${String(port ?? '')}: is the server running, and is the address right?`;
  }
  return '';
}

program.parseAsync(process.argv).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  printError(`taskhub: ${isTaskhubError(err) ? `${message} (${err.code})` : message}${hintFor(err)}`);
  process.exit(1);
});
