// The `taskhub` command line: serve an app (`start`), scaffold one (`new`), and drive instances (list, status, raise,
// terminate, suspend, resume, rewind, restart, purge) on a running host or directly on a store.
import { Command } from 'commander';
import { isTaskhubError } from '../core/errors.js';
import type { RuntimeStatus } from '../core/history.js';
import type { OrchestrationFilter } from '../client/types.js';
import { openTarget, type ClientTarget, type TargetOptions } from './client-target.js';
import { exportCommand } from './export.js';
import { newCommand, type NewOptions } from './new.js';
import { wholeNumberOption } from './numeric-option.js';
import { formatTable, print, printError, printJson } from './output.js';
import { replayCommand } from './replay.js';
import { startCommand } from './start.js';
import { TASKHUB_VERSION } from './version.js';
import { dashboardCommand, type DashboardOptions } from './dashboard.js';
import { workerCommand } from './worker.js';
import { registerGrpcCommands } from '../grpc/cli.js';

const program = new Command();
program
  .name('taskhub')
  .description('Durable Functions for TypeScript, self-hosted: serve Azure Durable Functions apps unchanged.')
  .version(TASKHUB_VERSION);

program
  .command('start')
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
  .action((appPath: string, options: Record<string, string | undefined>) => startCommand(appPath, options));

registerGrpcCommands(program);

program
  .command('dashboard')
  .description('Serve the web dashboard (and management API) for a store, without running any functions')
  .requiredOption('--store <store>', 'sqlite:<file> or postgres://…')
  .option('--hub <name>', 'task hub name (default TestHubName)')
  .option('-p, --port <port>', 'port to listen on', '7072')
  .option('--host <host>', 'address to bind (anything but loopback requires a key)', '127.0.0.1')
  .option('--keys-file <file>', 'file with accepted keys, one per line (or env TASKHUB_KEY)')
  .option('--read-only', 'change nothing (403 to every mutating request)')
  .option('--public-url <url>', 'where callers reach this host (e.g. behind a proxy); handed-out URLs start with it')
  .action((options: DashboardOptions) => dashboardCommand(options));

program
  .command('worker')
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
  .action((appPath: string, options: Record<string, string | undefined>) => workerCommand(appPath, options));

program
  .command('new')
  .description('Create an app from a template: HTTP starter, orchestrator and activity')
  .argument('<dir>', 'folder to create')
  .option('--js', 'JavaScript instead of TypeScript')
  .option('--classic', 'classic function.json layout (JavaScript)')
  .option('--force', 'write into a folder that is not empty')
  .action((dir: string, options: NewOptions) => newCommand(dir, options));

function withTarget(command: Command): Command {
  return command
    .option('--url <url>', 'a running host, e.g. http://127.0.0.1:7071')
    .option('--store <store>', 'a store instead of a host: sqlite:<file> or postgres://…')
    .option('--hub <name>', 'task hub name for --store (default TestHubName)')
    .option('--key <key>', 'key for --url when the host requires one (or env TASKHUB_KEY)');
}

async function withClient(options: TargetOptions, act: (target: ClientTarget) => Promise<void>): Promise<void> {
  const target = await openTarget(options);
  try {
    await act(target);
  } finally {
    await target.close();
  }
}

function parseStatuses(value: string | undefined): RuntimeStatus[] | undefined {
  return value ? (value.split(',').map((s) => s.trim()) as RuntimeStatus[]) : undefined;
}

function parseDate(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`--${name} must be an ISO 8601 time, not ${value}`);
  return date;
}

function filterFrom(options: Record<string, string | undefined>): OrchestrationFilter {
  return {
    createdTimeFrom: parseDate(options.from, 'from'),
    createdTimeTo: parseDate(options.to, 'to'),
    runtimeStatus: parseStatuses(options.status),
    instanceIdPrefix: options.prefix,
    pageSize: wholeNumberOption('--top', options.top, { min: 1 }),
    continuationToken: options.continuation,
  };
}

withTarget(program.command('list'))
  .description('List instances in a table')
  .option('--status <statuses>', 'runtime statuses, comma-separated (e.g. Running,Failed)')
  .option('--prefix <prefix>', 'instance id prefix')
  .option('--from <time>', 'created at or after (ISO 8601)')
  .option('--to <time>', 'created at or before (ISO 8601)')
  .option('--top <n>', 'page size', '100')
  .option('--continuation <token>', 'continuation token from a previous page')
  .option('--json', 'print JSON instead of a table')
  .action((options: Record<string, string | undefined> & TargetOptions) =>
    withClient(options, async (target) => {
      const page = await target.list(filterFrom(options));
      if (options.json) {
        printJson(page);
        return;
      }
      const rows = page.instances.map((s) => [
        s.instanceId,
        s.name,
        s.runtimeStatus,
        s.createdTime,
        s.lastUpdatedTime,
        s.output === null ? '' : JSON.stringify(s.output),
      ]);
      print(formatTable(['INSTANCE', 'NAME', 'STATUS', 'CREATED', 'UPDATED', 'OUTPUT'], rows));
      if (page.continuationToken) print(`\nMore: --continuation ${page.continuationToken}`);
    }),
  );

withTarget(program.command('status'))
  .description("Show an instance's status (JSON)")
  .argument('<instanceId>')
  .option('--history', 'include the history')
  .action((instanceId: string, options: TargetOptions & { history?: boolean }) =>
    withClient(options, async (target) => printJson(await target.status(instanceId, options.history ?? false))),
  );

withTarget(program.command('raise'))
  .description('Raise an external event')
  .argument('<instanceId>')
  .argument('<eventName>')
  .argument('[json]', 'event data as JSON')
  .action((instanceId: string, eventName: string, json: string | undefined, options: TargetOptions) =>
    withClient(options, async (target) => {
      let data: unknown;
      try {
        data = json === undefined ? undefined : (JSON.parse(json) as unknown);
      } catch {
        throw new Error(`The event data must be JSON (quote strings: '"yes"'), not ${json}`);
      }
      await target.raise(instanceId, eventName, data);
      print(`Raised ${eventName} on ${instanceId}.`);
    }),
  );

for (const op of ['terminate', 'suspend', 'resume', 'rewind'] as const) {
  withTarget(program.command(op))
    .description(`${op[0]!.toUpperCase()}${op.slice(1)} an instance`)
    .argument('<instanceId>')
    .option('--reason <text>', 'reason recorded in the history')
    .action((instanceId: string, options: TargetOptions & { reason?: string }) =>
      withClient(options, async (target) => {
        await target.control(op, instanceId, options.reason);
        print(`Requested ${op} of ${instanceId}.`);
      }),
    );
}

withTarget(program.command('restart'))
  .description('Start an instance again with its original input')
  .argument('<instanceId>')
  .option('--same-id', 'reuse the instance id instead of a new one')
  .action((instanceId: string, options: TargetOptions & { sameId?: boolean }) =>
    withClient(options, async (target) => {
      const id = await target.restart(instanceId, !options.sameId);
      print(`Restarted ${instanceId} as ${id}.`);
    }),
  );

withTarget(program.command('purge'))
  .description('Delete the history of one finished instance, or of every instance matching the filters')
  .argument('[instanceId]')
  .option('--status <statuses>', 'runtime statuses, comma-separated')
  .option('--prefix <prefix>', 'instance id prefix')
  .option('--from <time>', 'created at or after (ISO 8601); required without an instance id')
  .option('--to <time>', 'created at or before (ISO 8601)')
  .action((instanceId: string | undefined, options: Record<string, string | undefined> & TargetOptions) =>
    withClient(options, async (target) => {
      if (instanceId === undefined && options.from === undefined) {
        throw new Error('Give an instance id, or --from <time> (with optional --to, --status) to purge by filter.');
      }
      const deleted =
        instanceId === undefined ? await target.purgeBy(filterFrom(options)) : await target.purge(instanceId);
      print(`Purged ${deleted} instance${deleted === 1 ? '' : 's'}.`);
    }),
  );

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

program.parseAsync(process.argv).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  printError(`taskhub: ${isTaskhubError(err) ? `${message} (${err.code})` : message}`);
  process.exit(1);
});
