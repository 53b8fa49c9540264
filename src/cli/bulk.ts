// Repair in bulk: `taskhub rewind | restart | terminate | suspend | resume` given filters instead of an instance id
// act on every instance the filters match (an orchestration name, statuses, an id prefix, a creation window). As a
// bulk purge does, it lists first (--dry-run stops there), asks on a terminal, refuses without --yes in a script,
// then acts on exactly the instances it listed, with progress on stderr and every failure named.
import type { Command } from 'commander';
import type { OrchestrationFilter } from '../client/types.js';
import { BULK_APPLIES_TO } from '../client/bulk-statuses.js';
import type { ClientTarget, ListedInstance } from './client-target.js';
import { filterFrom, withClient, type Options } from './client-commands.js';
import { askYesNo, formatTable, paintStatus, print, printError, printJson } from './output.js';

export type BulkOp = 'rewind' | 'restart' | 'terminate' | 'suspend' | 'resume';

const PAST: Record<BulkOp, string> = {
  rewind: 'Rewound',
  restart: 'Restarted',
  terminate: 'Terminated',
  suspend: 'Suspended',
  resume: 'Resumed',
};

const PAGE = 1000;
const SHOWN = 20;
const CONCURRENCY = 8;
const PROGRESS_FROM = 100;
const PROGRESS_MS = 5000;
const FILTERS = ['name', 'status', 'prefix', 'from', 'to'] as const;

/** The filter options of a bulk operation, added to a single-instance command whose id becomes optional. */
export function withBulkOptions(command: Command): Command {
  return command
    .option('--name <name>', 'bulk: instances of this orchestration (instead of an instance id)')
    .option('--status <statuses>', 'bulk: runtime statuses, comma-separated')
    .option('--prefix <prefix>', 'bulk: instance id prefix')
    .option('--from <time>', 'bulk: created at or after (ISO 8601)')
    .option('--to <time>', 'bulk: created at or before (ISO 8601)')
    .option('--dry-run', 'bulk: list what would change, and change nothing')
    .option('-y, --yes', 'bulk: act without asking (needed when not on a terminal)');
}

/** Whether the options ask for a bulk operation; an instance id with filters is refused. */
export function isBulk(op: BulkOp, instanceId: string | undefined, options: Options): boolean {
  const given = FILTERS.filter((f) => typeof options[f] === 'string');
  if (instanceId !== undefined) {
    if (given.length > 0 || options.dryRun || options.yes) {
      throw new Error(
        `Give an instance id, or filters (--${given[0] ?? 'status'} …) to ${op} many, not both ` +
          '(--dry-run and --yes go with filters).',
      );
    }
    return false;
  }
  if (given.length === 0) {
    throw new Error(
      `Give an instance id, or filters (--name, --status, --prefix, --from, --to) to ${op} many; ` +
        'add --dry-run to see what they match.',
    );
  }
  return true;
}

export async function bulkCommand(op: BulkOp, options: Options): Promise<void> {
  const filter = filterFrom({ ...options, top: undefined, continuation: undefined });
  const name = typeof options.name === 'string' ? options.name.toLowerCase() : undefined;
  const reason = typeof options.reason === 'string' ? options.reason : undefined;
  await withClient(options, async (target) => {
    const applies = BULK_APPLIES_TO[op];
    const asked = filter.runtimeStatus ?? applies;
    const left = asked.filter((s) => !applies.includes(s));
    if (left.length > 0)
      printError(`${op} applies to ${applies.join(', ')}; ${left.join(', ')} instances are left alone.`);
    const statuses = asked.filter((s) => applies.includes(s));
    const listed = statuses.length === 0 ? [] : await listAll(target, { ...filter, runtimeStatus: statuses });
    const matched = name === undefined ? listed : listed.filter((i) => i.name.toLowerCase() === name);
    if (matched.length === 0) {
      print(`No instances to ${op} match in ${target.where}; nothing changed.`);
      return;
    }
    if (!(await confirm(op, matched, target.where, options))) return;
    // A restart's new ids are what the operator follows next: kept in the order the instances were listed.
    const restarted = new Map<string, string>();
    const failures = await forEach(matched, async (i) => {
      const newId = await act(target, op, i.instanceId, reason);
      if (newId !== undefined) restarted.set(i.instanceId, newId);
    });
    const done = matched.length - failures.length;
    const pairs = matched.flatMap((i) => {
      const newInstanceId = restarted.get(i.instanceId);
      return newInstanceId === undefined ? [] : [{ instanceId: i.instanceId, newInstanceId }];
    });
    if (op === 'restart' && options.json) printJson({ restarted: pairs, failed: failures });
    else {
      print(`${PAST[op]} ${done} instance${done === 1 ? '' : 's'}${pairs.length > 0 ? ':' : '.'}`);
      for (const p of pairs.slice(0, SHOWN)) print(`  ${p.instanceId} → ${p.newInstanceId}`);
      if (pairs.length > SHOWN) print(`  … and ${pairs.length - SHOWN} more (--json lists every one).`);
    }
    if (failures.length > 0) {
      for (const f of failures.slice(0, SHOWN)) printError(`${f.instanceId}: ${f.message}`);
      if (failures.length > SHOWN) printError(`… and ${failures.length - SHOWN} more.`);
      throw new Error(`${failures.length} of ${matched.length} could not be ${PAST[op].toLowerCase()} (listed above).`);
    }
  });
}

/** Acts on one instance; a restart answers with the new instance id. */
async function act(
  target: ClientTarget,
  op: BulkOp,
  instanceId: string,
  reason: string | undefined,
): Promise<string | undefined> {
  if (op === 'restart') return target.restart(instanceId, true);
  await target.control(op, instanceId, reason);
  return undefined;
}

/**
 * --dry-run: lists and says no. Otherwise true when the user said yes on a terminal or gave --yes; a script without
 * --yes is refused with an error (exit code 1), having changed nothing.
 */
export async function confirm(
  verb: string,
  matched: readonly ListedInstance[],
  where: string,
  options: Options,
): Promise<boolean> {
  const noun = `${matched.length} instance${matched.length === 1 ? '' : 's'}`;
  const preposition = verb === 'purge' ? 'from' : 'in';
  if (options.dryRun) {
    print(`Would ${verb} ${noun} ${preposition} ${where}:`);
    printTable(matched);
    return false;
  }
  if (options.yes) return true;
  if (!process.stdin.isTTY) {
    throw new Error(
      `This would ${verb} ${noun} ${preposition} ${where}. Add --yes to do it (or --dry-run to list them).`,
    );
  }
  printTable(matched);
  const capitalized = verb.charAt(0).toUpperCase() + verb.slice(1);
  if (await askYesNo(`${capitalized} ${noun} ${preposition} ${where}?`)) return true;
  print(`Nothing ${verb === 'purge' ? 'purged' : 'changed'}.`);
  return false;
}

function printTable(instances: readonly ListedInstance[]): void {
  print(
    formatTable(
      ['INSTANCE', 'NAME', 'STATUS', 'CREATED', 'UPDATED'],
      instances.slice(0, SHOWN).map((s) => [s.instanceId, s.name, s.runtimeStatus, s.createdTime, s.lastUpdatedTime]),
      { paint: (cell, column) => (column === 2 ? paintStatus(cell) : cell) },
    ),
  );
  if (instances.length > SHOWN) print(`… and ${instances.length - SHOWN} more.`);
}

/** Every instance the filter matches, page after page (the caller keeps what it lists). */
export async function listAll(target: ClientTarget, filter: OrchestrationFilter): Promise<ListedInstance[]> {
  const all: ListedInstance[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await target.list({ ...filter, pageSize: PAGE, continuationToken });
    all.push(...page.instances);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return all;
}

/**
 * Runs `each` over the instances CONCURRENCY at a time, collecting failures instead of stopping; from PROGRESS_FROM
 * instances on, a progress line on stderr at every tenth and at least every PROGRESS_MS.
 */
async function forEach(
  instances: readonly ListedInstance[],
  each: (instance: ListedInstance) => Promise<void>,
): Promise<{ instanceId: string; message: string }[]> {
  const step = instances.length >= PROGRESS_FROM ? Math.ceil(instances.length / 10) : Infinity;
  const failures: { instanceId: string; message: string }[] = [];
  let done = 0;
  let lastReport = Date.now();
  await inParallel(instances, async (instance) => {
    try {
      await each(instance);
    } catch (err) {
      failures.push({ instanceId: instance.instanceId, message: err instanceof Error ? err.message : String(err) });
    }
    done++;
    const due = done % step === 0 || (step !== Infinity && Date.now() - lastReport >= PROGRESS_MS);
    if (due && done < instances.length) {
      lastReport = Date.now();
      printError(`Done ${done} of ${instances.length}…`);
    }
  });
  return failures;
}

/** Calls `each` on every item, CONCURRENCY calls at a time; rejects with the first failure `each` lets out. */
export async function inParallel<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await each(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, lane));
}
