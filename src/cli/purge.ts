// `taskhub purge`: one instance by id, or every finished instance a filter matches. A bulk purge lists what it would
// delete first (--dry-run stops there), asks on a terminal, refuses without --yes in a script, then deletes exactly the
// instances it listed (not whatever matches by then) in short batches, with progress lines on stderr for long runs.
import type { Command } from 'commander';
import type { OrchestrationFilter } from '../client/types.js';
import { TERMINAL_STATUSES, type RuntimeStatus } from '../core/history.js';
import { parseDuration } from '../retention/policy.js';
import { confirm, inParallel, listAll } from './bulk.js';
import type { ClientTarget } from './client-target.js';
import { filterFrom, withClient, withTarget, type Options } from './client-commands.js';
import { print, printError } from './output.js';

/** Ids per store transaction: short enough that the hub's workers barely notice a purge of 100,000. */
const BATCH = 500;
const PROGRESS_FROM = 100;
const PROGRESS_MS = 5000;

export function registerPurgeCommand(program: Command): void {
  withTarget(program.command('purge'))
    .description('Delete the history of one finished instance, or of every finished instance matching the filters')
    .argument('[instanceId]')
    .option('--status <statuses>', 'runtime statuses, comma-separated (finished ones: Completed, Failed, Terminated)')
    .option('--prefix <prefix>', 'instance id prefix')
    .option('--from <time>', 'created at or after (ISO 8601)')
    .option('--to <time>', 'created at or before (ISO 8601)')
    .option(
      '--older-than <duration>',
      'finished (last updated) longer ago than this: 7d, 12h, 30m, 7.00:00:00, or a plain number of seconds',
    )
    .option('--dry-run', 'list what would be purged, and purge nothing')
    .option('-y, --yes', 'purge without asking (needed when not on a terminal)')
    .action((instanceId: string | undefined, options: Options) => {
      const filter = instanceId === undefined ? bulkFilter(options) : undefined;
      const olderThanMs = typeof options.olderThan === 'string' ? parseOlderThan(options.olderThan) : undefined;
      if (instanceId !== undefined && olderThanMs !== undefined) {
        throw new Error('--older-than selects many instances: give it without an instance id.');
      }
      return withClient(options, async (target) => {
        if (instanceId !== undefined) {
          if (options.dryRun) {
            const { runtimeStatus } = await target.status(instanceId, false);
            const purgeable = TERMINAL_STATUSES.includes(runtimeStatus as RuntimeStatus);
            print(`Would purge ${purgeable ? 1 : 0} instances: ${instanceId} is ${runtimeStatus}.`);
            return;
          }
          const deleted = await target.purge(instanceId);
          print(`Purged ${deleted} instance${deleted === 1 ? '' : 's'}.`);
          return;
        }
        const updatedBefore = olderThanMs === undefined ? undefined : new Date(Date.now() - olderThanMs).toISOString();
        await purgeByFilter(target, filter!, updatedBefore, options);
      });
    });
}

/** The filters of a bulk purge, checked before anything is opened: at least one, each valid. */
function bulkFilter(options: Options): OrchestrationFilter {
  if (
    ![options.status, options.prefix, options.from, options.to, options.olderThan].some((v) => typeof v === 'string')
  ) {
    throw new Error(
      'Give an instance id, or filters (--status, --prefix, --from, --to, --older-than) to purge many; ' +
        'add --dry-run to see what they match.',
    );
  }
  return filterFrom({ ...options, top: undefined, continuation: undefined });
}

async function purgeByFilter(
  target: ClientTarget,
  filter: OrchestrationFilter,
  updatedBefore: string | undefined,
  options: Options,
): Promise<void> {
  const asked = filter.runtimeStatus ?? TERMINAL_STATUSES;
  const unfinished = asked.filter((s) => !TERMINAL_STATUSES.includes(s));
  if (unfinished.length > 0) {
    printError(`Only finished instances are purged; ${unfinished.join(', ')} instances are left alone.`);
  }
  const statuses = asked.filter((s) => TERMINAL_STATUSES.includes(s));
  const listed = statuses.length === 0 ? [] : await listAll(target, { ...filter, runtimeStatus: statuses });
  // ISO 8601 UTC times compare as text.
  const matched = updatedBefore === undefined ? listed : listed.filter((i) => i.lastUpdatedTime < updatedBefore);
  if (matched.length === 0) {
    const age = updatedBefore === undefined ? '' : ` finished before ${updatedBefore}`;
    print(`No finished instances${age} match in ${target.where}; nothing to purge.`);
    const hint = await target.otherHubsHint();
    if (hint) printError(hint);
    return;
  }
  if (!(await confirm('purge', matched, target.where, options))) return;
  const deleted = await purgeInBatches(
    target,
    matched.map((m) => m.instanceId),
  );
  print(`Purged ${deleted} instance${deleted === 1 ? '' : 's'}.`);
}

/**
 * Purges the listed ids in batches: a store target deletes each batch in one short transaction, a host takes them a
 * few requests at a time. From PROGRESS_FROM instances on, a progress line goes to stderr at every tenth of the way
 * (batches never straddle a tenth), and at least every PROGRESS_MS on a long run.
 */
async function purgeInBatches(target: ClientTarget, ids: readonly string[]): Promise<number> {
  const step = ids.length >= PROGRESS_FROM ? Math.ceil(ids.length / 10) : Infinity;
  const size = Math.min(BATCH, step);
  let deleted = 0;
  let lastReport = Date.now();
  for (let done = 0; done < ids.length;) {
    const batch = ids.slice(done, done + size);
    deleted += target.purgeMany ? await target.purgeMany(batch) : await purgeEach(target, batch);
    const before = done;
    done += batch.length;
    const tenth = Math.floor(done / step) > Math.floor(before / step);
    if (done < ids.length && (tenth || (step !== Infinity && Date.now() - lastReport >= PROGRESS_MS))) {
      lastReport = Date.now();
      printError(`Purged ${done} of ${ids.length}…`);
    }
  }
  return deleted;
}

/** One id per call, a few at a time. */
async function purgeEach(target: ClientTarget, ids: readonly string[]): Promise<number> {
  let deleted = 0;
  await inParallel(ids, async (id) => {
    // Not `deleted += await …`: that reads `deleted` before the await, and the calls would overwrite each other.
    const count = await target.purge(id);
    deleted += count;
  });
  return deleted;
}

/** `--older-than`: a duration as retention reads it, or a plain number of seconds (as doctor's ages are). */
function parseOlderThan(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text) * 1000 : parseDuration(text, '--older-than');
}
