// The client commands (list, status, start-instance, raise, terminate, suspend, resume, rewind, restart): each acts on
// the target the app folder or the options pick (client-target.ts) and prints for people, or JSON when asked.
import path from 'node:path';
import type { Command } from 'commander';
import type { StatusJson } from '../client/status-view.js';
import type { OrchestrationFilter } from '../client/types.js';
import { isTaskhubError } from '../core/errors.js';
import { RUNTIME_STATUSES, TERMINAL_STATUSES, type RuntimeStatus } from '../core/history.js';
import { openTarget, resolveTarget, type ClientTarget, type TargetOptions } from './client-target.js';
import { hostAnswers, readRunningHost } from './running-host.js';
import { bulkCommand, isBulk, withBulkOptions } from './bulk.js';
import { describeInstance, formatDuration, shortJson } from './describe.js';
import { wholeNumberOption } from './numeric-option.js';
import { colorsFor, formatTable, paintStatus, palette, print, printError, printJson } from './output.js';

/** stderr's palette: the progress and outcome lines of --wait go there. */
const err = palette(colorsFor(process.stderr));
import { HostAnswerError } from './remote-target.js';

export type Options = Record<string, string | boolean | undefined> & TargetOptions;

export function withTarget(command: Command): Command {
  return command
    .option('--app <path>', 'the app folder (default: the folder with host.json here or above)')
    .option('--url <url>', 'a running host, e.g. http://127.0.0.1:7071 (default: the app folder’s running host)')
    .option('--store <store>', 'a store instead of a host: sqlite:<file> or postgres://…')
    .option('--hub <name>', 'task hub name (default: the app’s host.json hubName, else TestHubName)')
    .option('--key <key>', 'key for the host when it requires one (or env TASKHUB_KEY)');
}

export async function withClient(options: TargetOptions, act: (target: ClientTarget) => Promise<void>): Promise<void> {
  const target = await openTarget(options);
  try {
    await act(target);
  } finally {
    await target.close();
  }
}

/** `Running,failed` → ['Running', 'Failed']; an unknown name is refused with the list of valid ones. */
export function parseStatuses(value: string | undefined): RuntimeStatus[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.split(',').map((raw) => {
    const name = raw.trim();
    const found = RUNTIME_STATUSES.find((s) => s.toLowerCase() === name.toLowerCase());
    if (!found) throw new Error(`Unknown status '${name}': use one or more of ${RUNTIME_STATUSES.join(', ')}.`);
    return found;
  });
}

function parseDate(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`--${name} must be an ISO 8601 time, not ${value}`);
  return date;
}

export function filterFrom(options: Options): OrchestrationFilter {
  const text = (name: string): string | undefined => {
    const value = options[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    createdTimeFrom: parseDate(text('from'), 'from'),
    createdTimeTo: parseDate(text('to'), 'to'),
    runtimeStatus: parseStatuses(text('status')),
    instanceIdPrefix: text('prefix'),
    ...(text('orchestrationVersion') === undefined ? {} : { version: text('orchestrationVersion') }),
    pageSize: wholeNumberOption('--top', text('top'), { min: 1 }),
    continuationToken: text('continuation'),
  };
}

function parseJsonOption(value: string | undefined, what: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new Error(`${what} must be JSON (quote strings: '"yes"'), not ${value}`);
  }
}

/**
 * The URL of the app's running host (its .taskhub/running-host.json record) when it serves the store and hub a store
 * target wrote to, and answers; undefined otherwise.
 */
async function hostServing(options: Options): Promise<string | undefined> {
  const target = await resolveTarget(options);
  if (target.kind !== 'store' || !target.app) return undefined;
  const running = readRunningHost(target.app.root);
  if (!running || running.hubName.toLowerCase() !== target.hubName.toLowerCase()) return undefined;
  // A PostgreSQL record does not say which database: only a SQLite file is known to be the same store.
  const same =
    target.spec.kind === 'sqlite' &&
    running.sqliteFile !== undefined &&
    path.resolve(running.sqliteFile) === target.spec.file;
  return same && (await hostAnswers(running)) ? running.url : undefined;
}

/** The status, or a not-found error that also names the other hubs of the store when this one is empty. */
async function statusOrHint(
  target: ClientTarget,
  instanceId: string,
  showHistory: boolean,
  showWaitingFor = false,
): Promise<StatusJson> {
  try {
    return await target.status(instanceId, showHistory, showWaitingFor);
  } catch (err) {
    const notFound =
      isTaskhubError(err, 'INSTANCE_NOT_FOUND') || (err instanceof HostAnswerError && err.status === 404);
    const hint = notFound ? await target.otherHubsHint() : undefined;
    if (hint && err instanceof Error) throw new Error(`${err.message} ${hint}`);
    throw err;
  }
}

export function registerClientCommands(program: Command): void {
  withTarget(program.command('list'))
    .description('List instances, newest first')
    .option('--status <statuses>', `runtime statuses, comma-separated (${RUNTIME_STATUSES.join(', ')})`)
    .option('--prefix <prefix>', 'instance id prefix')
    // Not --version: that is taskhub's own.
    .option('--orchestration-version <version>', "orchestration version ('' for instances without one)")
    .option('--from <time>', 'created at or after (ISO 8601)')
    .option('--to <time>', 'created at or before (ISO 8601)')
    .option('--top <n>', 'page size (at most 1000 from a host)', '100')
    .option('--continuation <token>', 'continuation token from a previous page')
    .option('--json', 'print JSON instead of a table')
    .action((options: Options) => {
      // Options are checked before any store or host is touched.
      const filter = filterFrom(options);
      return withClient(options, async (target) => {
        const page = await target.list(filter);
        if (options.json) {
          printJson(page);
          return;
        }
        if (page.instances.length === 0) {
          print(`No instances in ${target.where}.`);
          const hint = await target.otherHubsHint();
          if (hint) printError(hint);
          return;
        }
        // The version column only when an instance on the page has one: unversioned apps see no empty column.
        const versioned = page.instances.some((s) => s.version !== undefined);
        const rows = page.instances.map((s) => [
          s.instanceId,
          s.name,
          ...(versioned ? [s.version ?? ''] : []),
          s.runtimeStatus,
          s.createdTime,
          s.lastUpdatedTime,
          shortJson(s.customStatus, 40),
        ]);
        const headers = ['INSTANCE', 'NAME', ...(versioned ? ['VERSION'] : []), 'STATUS', 'CREATED', 'UPDATED'];
        const table = formatTable([...headers, 'CUSTOM STATUS'], rows, {
          paint: (cell, column) => (column === (versioned ? 3 : 2) ? paintStatus(cell) : cell),
        });
        print(table);
        if (page.continuationToken) print(`\nMore: --continuation ${page.continuationToken}`);
      });
    });

  withTarget(program.command('status'))
    .description(
      "Show an instance: a summary, then its history as a table of events (--json for the status API's JSON)",
    )
    .argument('<instanceId>')
    .option('--json', "print the status API's JSON")
    .option('--history', 'with --json: include the history')
    .action((instanceId: string, options: Options) =>
      withClient(options, async (target) => {
        if (options.json) {
          printJson(await statusOrHint(target, instanceId, options.history === true, true));
          return;
        }
        print(describeInstance(await statusOrHint(target, instanceId, true, true)));
      }),
    );

  withTarget(program.command('start-instance'))
    .alias('run')
    .description('Start an orchestration; with --wait, wait for it to finish and print its output')
    .argument('<name>', 'orchestrator function name')
    .option('--input <json>', 'input as JSON')
    .option('--id <instanceId>', 'instance id (default: a new GUID)')
    .option('--orchestration-version <version>', "the instance's version (default: the app's defaultVersion or newest)")
    .option('--wait [seconds]', 'wait for the end (at most this many seconds; default: as long as it takes)')
    .action((name: string, options: Options) => {
      const input = parseJsonOption(options.input as string | undefined, '--input');
      const wait = options.wait;
      const waitSeconds =
        typeof wait === 'string' ? wholeNumberOption('--wait', wait, { min: 1, unit: 'seconds' }) : undefined;
      return withClient(options, async (target) => {
        const startedAt = Date.now();
        const started = await target.start(
          name,
          input,
          options.id as string | undefined,
          options.orchestrationVersion as string | undefined,
        );
        const statusHint = started.statusUrl ?? `taskhub status ${started.id}`;
        // Written to a store (no status URL): a host that serves that store picks it up; with none, nothing runs it.
        if (started.statusUrl === undefined) {
          const serving = await hostServing(options);
          printError(
            serving
              ? `Written to ${target.where}; the host at ${serving} serves it and picks the instance up ` +
                  '(an orchestrator it does not know fails the instance).'
              : `No Taskhub host answers for ${target.where}: the instance stays Pending until \`taskhub start\` ` +
                  '(or `taskhub worker`) runs this app, which also checks that the orchestrator exists.',
          );
        }
        if (wait === undefined) {
          print(`Started ${name}: instance ${started.id}`);
          print(`Status: ${statusHint}`);
          return;
        }
        // Waiting: stdout gets only the output, so `taskhub run X --wait > out.json` holds just that.
        printError(`Started ${name}: instance ${started.id} (waiting for it to finish…)`);
        const done = await waitForEnd(target, started.id, waitSeconds);
        printError(`${paintStatus(done.runtimeStatus, err)} after ${formatDuration(Date.now() - startedAt)}.`);
        if (done.runtimeStatus === 'Completed') {
          printJson(done.output);
          return;
        }
        const detail = shortJson(done.output, 400);
        throw new Error(`Instance ${started.id} ended ${done.runtimeStatus}${detail ? `: ${detail}` : '.'}`);
      });
    });

  withTarget(program.command('raise'))
    .description('Raise an external event')
    .argument('<instanceId>')
    .argument('<eventName>')
    .argument('[json]', 'event data as JSON')
    .action((instanceId: string, eventName: string, json: string | undefined, options: Options) => {
      const data = parseJsonOption(json, 'The event data');
      return withClient(options, async (target) => {
        await target.raise(instanceId, eventName, data);
        print(`Raised ${eventName} on ${instanceId}.`);
      });
    });

  for (const op of ['terminate', 'suspend', 'resume', 'rewind'] as const) {
    const descriptions = {
      terminate: 'Terminate a running instance',
      suspend: 'Suspend a running instance',
      resume: 'Resume a suspended instance',
      rewind: 'Rewind a Failed instance: its failed tasks run again',
    };
    withBulkOptions(withTarget(program.command(op)))
      .description(`${descriptions[op]} (or every instance the filters match)`)
      .argument('[instanceId]')
      .option('--reason <text>', 'reason recorded in the history')
      .action((instanceId: string, options: Options) =>
        isBulk(op, instanceId, options)
          ? bulkCommand(op, options)
          : withClient(options, async (target) => {
              if (op === 'rewind') {
                const { runtimeStatus } = await statusOrHint(target, instanceId, false);
                if (runtimeStatus !== 'Failed') {
                  throw new Error(`Instance ${instanceId} is ${runtimeStatus}: only Failed instances can be rewound.`);
                }
              }
              await target.control(op, instanceId, options.reason as string | undefined);
              print(`Requested ${op} of ${instanceId}.`);
            }),
      );
  }

  withBulkOptions(withTarget(program.command('restart')))
    .description(
      'Start an instance again with its original input (as a new instance id unless --same-id), or every finished ' +
        'instance the filters match (each as a new instance id)',
    )
    .argument('[instanceId]')
    .option('--same-id', 'reuse the instance id instead of a new one (the instance must have finished)')
    .option('--json', 'bulk: print every old and new instance id as JSON')
    .action((instanceId: string, options: Options) =>
      isBulk('restart', instanceId, options)
        ? bulkCommand('restart', options)
        : withClient(options, async (target) => {
            if (options.sameId) {
              const { runtimeStatus } = await statusOrHint(target, instanceId, false);
              if (!TERMINAL_STATUSES.includes(runtimeStatus as RuntimeStatus)) {
                throw new Error(
                  `Instance ${instanceId} is ${runtimeStatus}, so it cannot start again under the same id: wait for it ` +
                    'to finish, terminate it, or restart without --same-id.',
                );
              }
            }
            const id = await target.restart(instanceId, !options.sameId);
            print(`Restarted ${instanceId} as ${id}.`);
          }),
    );
}

const POLL_MS = 250;

/** Polls the status until the instance is finished (a host elsewhere runs it), or the time is up. */
async function waitForEnd(target: ClientTarget, instanceId: string, seconds: number | undefined): Promise<StatusJson> {
  const deadline = seconds === undefined ? Infinity : Date.now() + seconds * 1000;
  for (;;) {
    const status = await target.status(instanceId, false);
    if (TERMINAL_STATUSES.includes(status.runtimeStatus as RuntimeStatus)) return status;
    if (Date.now() >= deadline) {
      throw new Error(
        `Instance ${instanceId} is still ${status.runtimeStatus} after ${seconds} s; follow it with ` +
          `\`taskhub status ${instanceId}\`.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, deadline - Date.now())));
  }
}
