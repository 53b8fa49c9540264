// Runs `taskhub doctor` against one store: the store's scan, then the histories of the Running instances nothing in
// the store will wake (a truly stuck one waits for work that no longer exists; the others wait for an external
// event), turned into findings with the commands that fix them. Asked through a host, the versions of unfinished
// instances are compared with the versions its app runs. Read-only.
import { isTerminal, type HistoryEvent, type RuntimeStatus } from '../core/history.js';
import type { FunctionRegistry } from '../core/registry.js';
import { describeVersionWait, versionWait, waitingFor, type WaitingItem } from '../client/waiting-for.js';
import type { Capped, DoctorScan, ScannedInstance, VersionGroup } from '../store/doctor-scan.js';
import type { Store } from '../store/store.js';
import { TaskhubError } from '../core/errors.js';
import { formatAge, formatBytes } from './age.js';
import {
  command,
  DEFAULT_THRESHOLDS,
  type DoctorReport,
  type DoctorThresholds,
  type Finding,
  type Severity,
} from './findings.js';

/** A printed command with placeholders to fill in before it runs (`<EventName>`). */
export const TEMPLATE = 'Fill in and run: ';
/** Rows read per finding to count instances (a finding lists at most `limit` of them). */
const MAX_ROWS_READ = 1000;
/** Histories longer than this are not read to tell stuck from waiting (the instance is then called waiting). */
const MAX_READ_EVENTS = 5000;
/** At most this many idle Running instances have their history read (least recently updated first). */
const MAX_IDLE_EXAMINED = 500;

/** The app that answers (a host): its registrations say which versions it runs. */
export interface DiagnosedApp {
  readonly registry: Pick<FunctionRegistry, 'orchestrationFor' | 'versioning'>;
}

const UNFINISHED: readonly RuntimeStatus[] = ['Pending', 'Running', 'Suspended'];

export interface DiagnoseOptions {
  /**
   * Where `maxDeliveryCount` came from, for the words of DELIVERY_COUNT_EXCEEDED: `host` when it is the app's own
   * limit (host.json), else it is doctor's threshold (the default or --max-delivery-count).
   */
  readonly maxDeliveryCountFrom?: 'host' | 'doctor';
  /** The app that answers (through a host): instances of versions it does not run are reported apart. */
  readonly app?: DiagnosedApp;
}

export async function diagnose(
  store: Store,
  thresholds: Partial<DoctorThresholds> = {},
  options: DiagnoseOptions = {},
): Promise<DoctorReport> {
  if (!store.doctorScan) {
    throw new TaskhubError('NOT_SUPPORTED', 'This store cannot be diagnosed: it offers no doctor scan.');
  }
  const t: DoctorThresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };
  // Rows are read past the listing limit so that a finding counts instances, not rows (one instance can have several
  // oversized payloads, leases or redelivered work items); the listing is capped at `limit` instances below.
  const scan = await store.doctorScan({
    ...t,
    limit: Math.max(t.limit, MAX_ROWS_READ),
    idleLimit: Math.max(t.limit, MAX_IDLE_EXAMINED),
  });
  const app = options.app;
  const nowMs = Date.parse(scan.now);
  const findings: Finding[] = [];
  const age = (iso: string) => formatAge(nowMs - Date.parse(iso));
  const group = <T extends { instanceId: string }>(capped: Capped<T>) => byInstance(capped, t.limit);

  // Instances of a version the answering app does not run wait for another worker, not for a host: said apart.
  const notRun = (r: { name: string; version?: string | undefined }) =>
    app !== undefined && versionWait(app.registry, r.name, r.version) !== undefined;
  const pendingRunnable: Capped<ScannedInstance> = {
    count: scan.pending.count - scan.pending.rows.filter(notRun).length,
    rows: scan.pending.rows.filter((r) => !notRun(r)),
  };
  if (pendingRunnable.count > 0) {
    const { count: n, instanceIds, rows, note } = group(pendingRunnable);
    findings.push({
      code: 'PENDING_TOO_LONG',
      severity: 'error',
      title: `${count(n, 'instance')} Pending for longer than ${formatAge(t.pendingOlderThanMs)}`,
      meaning:
        'Their start message has been due all that time and no worker took it: no host (taskhub start) or worker ' +
        '(taskhub worker) runs this task hub, or every worker is busy or failing to reach the store' +
        (app
          ? '.'
          : ', or no running worker runs the version they were created with (a worker claims only the versions it ' +
            'runs; read through the store, doctor cannot tell which versions the workers run).'),
      count: n,
      instanceIds,
      details: [
        ...rows.map((r) => `${r.instanceId} (${nameAndVersion(r)}) created ${age(r.createdTime)} ago`),
        ...note,
      ],
      fix: ['taskhub start', ...rows.map((r) => command('terminate', r.instanceId, '--reason', 'never started'))],
      advice:
        'Start the app (taskhub start in its folder, or taskhub worker with this store): it picks them up at once. ' +
        'Terminate the ones nobody wants any more.',
    });
  }

  findings.push(...(await versionFindings(store, scan.versions, t, age, app)));

  const { stuck, waiting } = await classifyIdle(store, scan, t, nowMs, notRun);
  const unexamined = scan.idle.count - scan.idle.rows.length;
  const note =
    unexamined > 0
      ? [
          `${count(unexamined, 'more idle Running instance')} not examined (the ${scan.idle.rows.length} least recently updated were)`,
        ]
      : [];
  const cap = <T>(list: readonly T[]) => list.slice(0, t.limit);
  if (stuck.length > 0) {
    findings.push({
      code: 'STUCK',
      severity: 'error',
      title: `${count(stuck.length, 'Running instance')} stuck: what ${stuck.length === 1 ? 'it waits' : 'they wait'} for no longer exists`,
      meaning:
        'Their history waits for an activity, a timer or a sub-orchestration, but the store holds no work item, ' +
        'timer message or running child that would ever answer (a crash mid-write, a store restored from a partial ' +
        'backup, or rows deleted by hand). Nothing will run them again.',
      count: stuck.length,
      instanceIds: cap(stuck).map((s) => s.instance.instanceId),
      details: [...cap(stuck).map((s) => `${s.instance.instanceId} (${s.instance.name}): ${s.why}`), ...note],
      fix: cap(stuck).flatMap((s) => [
        `${command('terminate', s.instance.instanceId, '--reason', 'stuck: nothing left to wake it')} && ` +
          command('restart', s.instance.instanceId),
      ]),
      advice:
        'Terminate each, and start it again with its original input under a new instance id (the new one links back ' +
        'to it); restart --same-id keeps the id, once the termination has been processed.',
    });
  }
  if (waiting.length > 0) {
    findings.push({
      code: 'WAITING_FOR_EVENT',
      severity: 'warning',
      title: `${count(waiting.length, 'Running instance')} waiting for an external event for longer than ${formatAge(t.waitingOlderThanMs)}`,
      meaning:
        'Nothing in the store will wake them (no timer, no activity, no sub-orchestration pending): only an event ' +
        'raised from outside will. waitForExternalEvent records nothing in the history, so the event name is the ' +
        "one the orchestrator's code waits for. If nobody is going to raise it, they wait forever.",
      count: waiting.length,
      instanceIds: cap(waiting).map((w) => w.instance.instanceId),
      details: [
        ...cap(waiting).map(
          (w) => `${w.instance.instanceId} (${w.instance.name}) last updated ${age(w.instance.lastUpdatedTime)} ago`,
        ),
        ...note,
      ],
      fix: cap(waiting).map((w) => TEMPLATE + command('raise', w.instance.instanceId, '<EventName>', '<json>')),
      advice:
        'Fill in the name of the event the code waits for and its data (JSON) and run the command, or terminate ' +
        'the instance: taskhub terminate <id>.',
    });
  }

  if (scan.expiredLeases.count > 0) {
    const { count: n, instanceIds, rows, note } = group(scan.expiredLeases);
    const workers = [...new Set(rows.map((r) => r.workerId))];
    findings.push({
      code: 'EXPIRED_LEASES',
      severity: 'warning',
      title: `Leases on ${count(n, 'instance')} held by workers that are gone: ${workers.join(', ')}`,
      meaning:
        'A worker locked these instances or work items and its lease ran out without being renewed or released: ' +
        'the worker was killed or lost the store. A running worker takes an expired lease over the next time the ' +
        'instance or work item has work; the activities the gone worker ran in its own process it turns into work ' +
        'items within a third of a lease, work or not. So this resolves itself once any worker runs this task hub.',
      count: n,
      instanceIds,
      details: [
        ...rows.map(
          (r) =>
            `${r.kind === 'workItem' ? 'activity' : 'instance'} ${r.instanceId} (${r.name}) held by ${r.workerId}, expired ${age(r.expiredAt)} ago`,
        ),
        ...note,
      ],
      fix: ['taskhub start'],
      advice: 'Run a host or worker for this task hub (taskhub start or taskhub worker): it takes the leases over.',
    });
  }

  // A work item on its last allowed delivery, held by a live lease, is running: only the deliveries that ended their
  // worker count (a running one has ended deliveryCount - 1).
  const ended = scan.redelivered.rows.filter((r) => !r.running || r.deliveryCount - 1 >= t.maxDeliveryCount);
  if (ended.length > 0) {
    const stillRunning = scan.redelivered.rows.length - ended.length;
    const {
      count: n,
      instanceIds,
      rows,
      note,
    } = group({
      count: scan.redelivered.count - stillRunning,
      rows: ended,
    });
    const limit =
      options.maxDeliveryCountFrom === 'host'
        ? `the app's maxDeliveryCount (${t.maxDeliveryCount}, host.json)`
        : `doctor's threshold (--max-delivery-count ${t.maxDeliveryCount}; the host's limit is host.json's maxDeliveryCount, 5 by default)`;
    findings.push({
      code: 'DELIVERY_COUNT_EXCEEDED',
      severity: 'error',
      title: `${count(n, 'instance')} with work delivered ${t.maxDeliveryCount} times or more without completing`,
      meaning:
        `Each delivery ended its worker (a crash, a kill, a hang) before it could finish, as often as ${limit}: ` +
        "past the host's maxDeliveryCount a worker quarantines them (an activity's task fails with " +
        'PoisonMessageException, an orchestration ends Failed). Until then every delivery costs a worker restart.',
      count: n,
      instanceIds,
      details: [
        ...rows.map((r) => {
          const now = r.running ? ', running now' : '';
          return r.kind === 'workItem'
            ? `activity ${r.name} #${r.taskScheduledId ?? '?'} of ${r.instanceId}: ${r.deliveryCount} deliveries${now}`
            : `orchestration ${r.instanceId} (${r.name}): ${r.deliveryCount} deliveries${now}`;
        }),
        ...note,
      ],
      fix: instanceIds.map((id) => command('terminate', id, '--reason', 'quarantined: kept ending its worker')),
      advice:
        'Fix the code that ends its worker (see the worker logs: language-worker.exited), then terminate or ' +
        'let the host quarantine them.',
    });
  }

  if (scan.orphanedEntityLocks.count > 0) {
    const rows = scan.orphanedEntityLocks.rows.slice(0, t.limit);
    findings.push({
      code: 'ENTITY_LOCK_ORPHANED',
      severity: 'error',
      title: `${count(scan.orphanedEntityLocks.count, 'entity lock')} held by orchestrations that are finished or gone`,
      meaning:
        'An orchestration locked these entities (lockEntities) and ended without releasing them: every operation ' +
        'sent to them since waits in their queue and nobody will ever release them.',
      count: scan.orphanedEntityLocks.count,
      instanceIds: rows.map((r) => r.entityId),
      details: rows.map((r) => `${r.entityId} locked by ${r.owner} (${r.ownerStatus ?? 'purged'})`),
      fix: rows.map((r) => command('raise', r.entityId, 'op', JSON.stringify({ id: r.lockId, release: true }))),
      advice: 'Send each entity the release its owner never sent: the queued operations then run in order.',
    });
  }

  if (scan.oversized.count > 0) {
    const { count: n, instanceIds, rows, note } = group(scan.oversized);
    const finished = rows.filter((r) => isTerminal(r.runtimeStatus));
    findings.push({
      code: 'OVERSIZED',
      severity: 'warning',
      title: `${count(n, 'instance')} with an oversized history or payload`,
      meaning:
        `Histories over ${t.maxHistoryEvents} events or ${formatBytes(t.maxPayloadBytes)}, and inputs, outputs or ` +
        `custom statuses over ${formatBytes(t.maxPayloadBytes)}: each replay reads the whole history, so such ` +
        'instances are slow to load and wake, and they grow the store.',
      count: n,
      instanceIds,
      details: [...rows.map((r) => `${r.instanceId} (${r.runtimeStatus}): ${sizeText(r.what, r.size)}`), ...note],
      fix: [...new Set(finished.map((r) => command('purge', r.instanceId)))],
      advice:
        'Purge the finished ones. For a running orchestration, call continueAsNew to start over with a fresh history ' +
        '(an eternal orchestration should every few hundred steps), and pass large data by reference (a blob URL) ' +
        'rather than as input or output.',
    });
  }

  const oldest = scan.finished.oldestFinishedTime;
  if (scan.finished.count > 0 && oldest !== undefined) {
    const old = Date.parse(oldest) < nowMs - t.finishedOlderThanMs;
    findings.push({
      code: 'FINISHED_NOT_PURGED',
      severity: old ? 'warning' : 'info',
      title: `${count(scan.finished.count, 'finished instance')} stored; the longest-finished ended ${age(oldest)} ago`,
      meaning: old
        ? `Instances that finished more than ${formatAge(t.finishedOlderThanMs)} ago are kept until purged: they ` +
          'grow the store and every query over it.'
        : 'Finished instances are kept until purged.',
      count: scan.finished.count,
      // The oldest is named in the details; listing ids here would suggest the others could be listed too.
      instanceIds: [],
      details: scan.finished.oldestInstanceId
        ? [`longest-finished: ${scan.finished.oldestInstanceId} ended ${oldest}`]
        : [],
      fix: old
        ? [
            command(
              'purge',
              '--status',
              'Completed,Failed,Terminated',
              '--older-than',
              durationArg(t.finishedOlderThanMs),
              '--dry-run',
            ),
          ]
        : [],
      ...(old ? { advice: 'Check the list --dry-run prints, then run the same command with --yes.' } : {}),
    });
  }

  findings.push(storeFinding(scan));
  const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  findings.sort((a, b) => order[a.severity] - order[b.severity]);
  const severities = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return {
    hubName: store.hubName,
    checkedAt: scan.now,
    thresholds: t,
    findings,
    summary: { errors: severities('error'), warnings: severities('warning'), info: severities('info') },
    store: {
      ...scan.size,
      finishedInstances: scan.finished.count,
      ...(oldest !== undefined ? { oldestFinishedTime: oldest } : {}),
    },
  };
}

/** `Order`, `Order 2.0`. */
function nameAndVersion(r: { readonly name: string; readonly version?: string | undefined }): string {
  return r.version === undefined ? r.name : `${r.name} ${r.version}`;
}

/**
 * Through a host: the unfinished instances of versions its app does not run (it never claims them). Through a store
 * alone: which versions unfinished instances need, since doctor cannot know which versions the workers run.
 */
async function versionFindings(
  store: Store,
  groups: readonly VersionGroup[],
  t: DoctorThresholds,
  age: (iso: string) => string,
  app: DiagnosedApp | undefined,
): Promise<Finding[]> {
  if (!app) {
    const versioned = groups.filter((g) => g.version !== undefined);
    if (versioned.length === 0) return [];
    return [
      {
        code: 'VERSIONS_IN_USE',
        severity: 'info',
        title: `Unfinished instances of ${count(versioned.length, 'orchestration version')}: ${versioned
          .map((g) => `${nameAndVersion(g)} (${g.count})`)
          .join(', ')}`,
        meaning:
          'A worker claims only instances of the versions it runs; the others wait, Pending or Running, for one that ' +
          'does. Read through the store, doctor cannot know which versions the running workers run: ask a host ' +
          '(taskhub doctor --url) to compare them with its app.',
        count: versioned.reduce((n, g) => n + g.count, 0),
        instanceIds: [],
        details: versioned.map(
          (g) => `${nameAndVersion(g)}: ${g.count} unfinished, oldest created ${age(g.oldestCreatedTime)} ago`,
        ),
        fix: versioned.map((g) =>
          command('list', '--orchestration-version', g.version!, '--status', UNFINISHED.join(',')),
        ),
      },
    ];
  }
  const unrun = groups.filter((g) => versionWait(app.registry, g.name, g.version) !== undefined);
  if (unrun.length === 0) return [];
  const instanceIds: string[] = [];
  for (const g of unrun) {
    if (instanceIds.length >= t.limit) break;
    const page = await store.queryInstances({
      version: g.version ?? '',
      runtimeStatus: UNFINISHED,
      pageSize: t.limit,
      showInput: false,
    });
    const ofName = page.instances.filter((i) => i.name.toLowerCase() === g.name.toLowerCase());
    instanceIds.push(...ofName.slice(0, t.limit - instanceIds.length).map((i) => i.instanceId));
  }
  const total = unrun.reduce((n, g) => n + g.count, 0);
  return [
    {
      code: 'VERSION_NOT_RUN',
      severity: 'warning',
      title: `${count(total, 'instance')} of versions no running worker of this app runs: ${unrun
        .map((g) => nameAndVersion(g))
        .join(', ')}`,
      meaning:
        "This host's app registers no code for these versions (versionFailureStrategy Reject), so it never claims " +
        'them: they wait, Pending or Running with their messages stored, for a worker that runs their version. ' +
        'Another worker of this task hub may run them (a rolling deploy); doctor knows only the app of this host.',
      count: total,
      instanceIds,
      details: unrun.map(
        (g) =>
          `${g.count} ${g.name} (oldest created ${age(g.oldestCreatedTime)} ago) wait for ${describeVersionWait(g)}`,
      ),
      fix: unrun.map((g) =>
        command('list', '--orchestration-version', g.version ?? '', '--status', UNFINISHED.join(',')),
      ),
      advice:
        "Deploy (or keep running) a worker whose app registers the version (df.app.orchestration(name, { version, handler }) or host.json's defaultVersion), or terminate the instances nobody will run.",
    },
  ];
}

/** 30 days → `30d`: the largest whole unit `taskhub purge --older-than` reads. */
function durationArg(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  const unit = units.find(([size]) => ms > 0 && ms % size === 0);
  return unit ? `${ms / unit[0]}${unit[1]}` : `${ms}ms`;
}

/**
 * A finding's rows grouped by instance: `count` is distinct instances (rows past the ones read are counted as one
 * instance each, at most), `rows` those of the first `limit` instances, and a note when not every row was read.
 */
function byInstance<T extends { instanceId: string }>(
  capped: Capped<T>,
  limit: number,
): { count: number; instanceIds: string[]; rows: T[]; note: string[] } {
  const all = [...new Set(capped.rows.map((r) => r.instanceId))];
  const instanceIds = all.slice(0, limit);
  const listed = new Set(instanceIds);
  const unread = Math.max(0, capped.count - capped.rows.length);
  return {
    count: all.length + unread,
    instanceIds,
    rows: capped.rows.filter((r) => listed.has(r.instanceId)),
    note: unread > 0 ? [`${count(unread, 'more row')} not read: the count is at most this many more instances`] : [],
  };
}

/** `3 leases`, `1 lease`. */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function sizeText(what: string, size: number): string {
  switch (what) {
    case 'historyEvents':
      return `${size} history events`;
    case 'historyBytes':
      return `history of ${formatBytes(size)}`;
    default:
      return `${what} of ${formatBytes(size)}`;
  }
}

/** A WAL this large, and larger than the database itself, means checkpoints are not keeping up. */
const WAL_WARNING_BYTES = 256 * 1024 * 1024;

function storeFinding(scan: DoctorScan): Finding {
  const size = scan.size;
  if (size.kind === 'sqlite') {
    const bigWal = size.walBytes > WAL_WARNING_BYTES && size.walBytes > size.fileBytes;
    return {
      code: 'STORE_SIZE',
      severity: bigWal ? 'warning' : 'info',
      title: `SQLite ${size.file}: ${formatBytes(size.fileBytes)}, write-ahead log ${formatBytes(size.walBytes)}`,
      meaning: bigWal
        ? 'The write-ahead log has outgrown the database: a long-lived reader keeps SQLite from checkpointing it.'
        : 'The database file (every task hub in it) and its write-ahead log.',
      count: 0,
      instanceIds: [],
      details: [],
      fix: [],
      ...(bigWal
        ? {
            advice:
              'Close long-running readers of the file (an open sqlite3 shell, a backup tool); the host then checkpoints it.',
          }
        : {}),
    };
  }
  return {
    code: 'STORE_SIZE',
    severity: 'info',
    title: `PostgreSQL database ${size.database}: ${formatBytes(size.databaseBytes)}, this task hub ${formatBytes(size.hubBytes)}`,
    meaning: "The whole database, and this task hub's schema (tables, indexes and TOAST).",
    count: 0,
    instanceIds: [],
    details: [],
    fix: [],
  };
}

interface Idle {
  readonly instance: ScannedInstance;
  readonly why: string;
}

/**
 * Splits the idle Running instances of the scan: stuck when the history waits for work the store no longer holds (an
 * activity, a timer, a child that ended or is gone); waiting when only an external event can wake it and it has not
 * been updated for waitingOlderThanMs. One that waits for a running child or an entity is neither.
 */
async function classifyIdle(
  store: Store,
  scan: DoctorScan,
  t: DoctorThresholds,
  nowMs: number,
  notRun: (instance: ScannedInstance) => boolean,
): Promise<{ stuck: Idle[]; waiting: Idle[] }> {
  const stuck: Idle[] = [];
  const waiting: Idle[] = [];
  for (const instance of scan.idle.rows) {
    // It waits for a worker that runs its version first (the version finding lists it).
    if (notRun(instance)) continue;
    // A history too long to read here is called waiting: its detail page tells more.
    const verdict =
      instance.historyLength > MAX_READ_EVENTS
        ? { kind: 'event' as const }
        : await verdictOf(store, await store.getHistory(instance.instanceId));
    if (verdict.kind === 'stuck') stuck.push({ instance, why: verdict.why });
    else if (verdict.kind === 'event' && nowMs - Date.parse(instance.lastUpdatedTime) > t.waitingOlderThanMs) {
      waiting.push({ instance, why: 'waits for an external event' });
    }
  }
  return { stuck, waiting };
}

type Verdict =
  { readonly kind: 'stuck'; readonly why: string } | { readonly kind: 'event' } | { readonly kind: 'others' };

/** What an idle Running execution waits for, judged against what the store still holds. */
async function verdictOf(store: Store, history: readonly HistoryEvent[]): Promise<Verdict> {
  if (history.length === 0) return { kind: 'stuck', why: 'Running with no history: its start was lost' };
  if (history.some((e) => e.eventType === 'ExecutionCompleted')) {
    return { kind: 'stuck', why: 'its history ends the execution but its status is still Running' };
  }
  const { items, onlyExternalEvents } = waitingFor(history);
  for (const item of items) {
    const why = await missing(store, item);
    if (why !== undefined) return { kind: 'stuck', why };
  }
  return onlyExternalEvents ? { kind: 'event' } : { kind: 'others' };
}

async function missing(store: Store, item: WaitingItem): Promise<string | undefined> {
  switch (item.kind) {
    case 'timer':
      return `waits for timer #${item.timerId} due ${item.fireAt}, which has no timer message`;
    case 'activity':
      return `waits for activity ${item.name} (#${item.taskScheduledId}), which has no work item`;
    case 'subOrchestration': {
      const child = await store.getInstance(item.instanceId);
      if (!child) return `waits for sub-orchestration ${item.instanceId}, which does not exist`;
      if (isTerminal(child.runtimeStatus)) {
        return `waits for sub-orchestration ${item.instanceId}, which ended ${child.runtimeStatus} without reporting back`;
      }
      return undefined;
    }
    case 'entityOperation':
    case 'entityLock':
      return undefined;
    default: {
      const unhandled: never = item;
      throw new Error(`Unhandled waiting item ${JSON.stringify(unhandled)}`);
    }
  }
}
