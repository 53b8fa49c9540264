// `taskhub doctor`: what is wrong with a task hub and the command that fixes each thing, read from the store directly
// or from a running host's management API (GET …/doctor). Exit code 0 healthy, 2 warnings, 3 errors (1: the command
// itself failed), so a deploy can be gated on it; --fail-on picks which severity fails.
import type { Command } from 'commander';
import { WEBHOOK_PATH } from '../app/management-urls.js';
import { diagnose } from '../doctor/diagnose.js';
import {
  exitCodeOf,
  withTargetFlags,
  type DoctorReport,
  type Finding,
  type Severity,
  type TargetFlags,
} from '../doctor/findings.js';
import { flagOf, THRESHOLD_OPTIONS, thresholdsFrom } from '../doctor/options.js';
import { openTaskHub } from '../hub.js';
import { createLogger } from '../log.js';
import { findAppFolder, maxDeliveryCountOf } from './app-folder.js';
import { requireStoreFile, resolveTarget } from './client-target.js';
import type { Options } from './client-commands.js';
import { withTarget } from './client-commands.js';
import { out, print, printJson } from './output.js';
import { answerError, fetchHost } from './remote-target.js';
import { emptyHubMessage } from './store-hubs.js';
import { openStoreOption } from './store-option.js';

const FAIL_ON = ['warning', 'error', 'never'] as const;
type FailOn = (typeof FAIL_ON)[number];

export function registerDoctorCommand(program: Command): void {
  const command = withTarget(program.command('doctor'))
    .description(
      'Find what is wrong with a task hub (stuck, never started, orphaned locks, oversized, store size) and the ' +
        'command that fixes each; exit code 0 healthy, 2 warnings, 3 errors',
    )
    .option('--json', 'print the report as JSON')
    .option(
      '--fail-on <severity>',
      'the lowest severity that makes the exit code non-zero: warning, error or never',
      'warning',
    );
  for (const option of THRESHOLD_OPTIONS) {
    command.option(`${flagOf(option.name)} <${option.kind === 'age' ? 'age' : 'n'}>`, option.description);
  }
  command.action(async (options: Options) => {
    // Everything the user typed is checked before the store or host is touched.
    const failOn = (options.failOn ?? 'warning') as FailOn;
    if (!FAIL_ON.includes(failOn)) {
      throw new Error(`--fail-on must be one of ${FAIL_ON.join(', ')}, not '${String(failOn)}'.`);
    }
    const raw = (name: string) => {
      const value = options[name];
      return typeof value === 'string' ? value : undefined;
    };
    const thresholds = thresholdsFrom(raw, flagOf);
    const report = withTargetFlags(await readReport(options, thresholds), targetFlags(options));
    if (options.json) printJson(report);
    else print(describeReport(report));
    process.exitCode = exitCodeOf(report, failOn);
  });
}

/** The target options the user gave, repeated on every fix command so it acts where doctor looked. */
function targetFlags(options: Options): TargetFlags {
  const text = (name: string) => (typeof options[name] === 'string' ? options[name] : undefined);
  return { app: text('app'), url: text('url'), store: text('store'), hub: text('hub') };
}

/** host.json's maxDeliveryCount of the app doctor runs for (--app or the folder), if set. */
function appMaxDeliveryCount(options: Options): number | undefined {
  const app = findAppFolder(typeof options.app === 'string' ? options.app : undefined);
  return app ? maxDeliveryCountOf(app.root) : undefined;
}

/** The report from the host (which applies its app's maxDeliveryCount itself) or read from the store. */
async function readReport(options: Options, thresholds: ReturnType<typeof thresholdsFrom>): Promise<DoctorReport> {
  const target = await resolveTarget(options);
  if (target.kind === 'host') {
    const root = target.url.replace(/\/+$/, '');
    const url = new URL(`${root}${WEBHOOK_PATH}/doctor`);
    for (const option of THRESHOLD_OPTIONS) {
      const value = thresholds[option.key];
      // Ages travel in seconds (a plain number is seconds on the other side too).
      if (value !== undefined) url.searchParams.set(option.name, String(option.kind === 'age' ? value / 1000 : value));
    }
    const response = await fetchHost(root, url, { headers: target.key ? { 'x-functions-key': target.key } : {} });
    if (!response.ok) throw await answerError(response);
    return (await response.json()) as DoctorReport;
  }
  requireStoreFile(target);
  const hub = await openTaskHub({
    store: await openStoreOption(target.spec, target.hubName, { mustExist: true }),
    hubName: target.hubName,
    worker: false,
    logger: createLogger({ level: process.env.TASKHUB_LOG_LEVEL ?? 'warn' }),
  });
  try {
    // A hub that holds nothing (a typo in --hub, the wrong store) would otherwise pass as healthy.
    const any = await hub.store.queryInstances({ pageSize: 1, showInput: false });
    if (any.instances.length === 0) throw new Error(await emptyHubMessage(target.spec, target.hubName));
    // The app's own limit, when doctor runs for an app and --max-delivery-count does not override it.
    const appLimit = thresholds.maxDeliveryCount === undefined ? appMaxDeliveryCount(options) : undefined;
    return appLimit === undefined
      ? await diagnose(hub.store, thresholds)
      : await diagnose(hub.store, { ...thresholds, maxDeliveryCount: appLimit }, { maxDeliveryCountFrom: 'host' });
  } finally {
    await hub.close();
  }
}

const LABELS: Record<Severity, string> = { error: 'ERROR', warning: 'WARNING', info: 'INFO' };

function paintSeverity(severity: Severity, text: string): string {
  if (severity === 'error') return out.red(text);
  if (severity === 'warning') return out.yellow(text);
  return out.dim(text);
}

/** The report for people: one block per finding, then a summary line. */
export function describeReport(report: DoctorReport): string {
  const lines = [out.bold(`Task hub ${report.hubName}, checked ${report.checkedAt}`), ''];
  for (const finding of report.findings) lines.push(...describeFinding(finding), '');
  const { errors, warnings } = report.summary;
  lines.push(
    errors + warnings === 0
      ? out.green('No problems found.')
      : `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`,
  );
  return lines.join('\n');
}

function describeFinding(f: Finding): string[] {
  const pad = ' '.repeat(9);
  const lines = [`${paintSeverity(f.severity, LABELS[f.severity].padEnd(8))} ${out.bold(f.title)}`];
  lines.push(`${pad}${f.meaning}`);
  for (const detail of f.details) lines.push(`${pad}- ${detail}`);
  if (f.count > f.instanceIds.length && f.instanceIds.length > 0) {
    lines.push(`${pad}… and ${f.count - f.instanceIds.length} more (raise --limit to list them)`);
  }
  if (f.advice) lines.push(`${pad}${f.advice}`);
  if (f.fix.length > 0) {
    lines.push(`${pad}Fix:`);
    for (const cmd of f.fix) lines.push(`${pad}  ${out.cyan(cmd)}`);
  }
  return lines;
}
