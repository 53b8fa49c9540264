// `taskhub replay <history.json> [app]`: loads the app's current code and replays an exported history (or a recorded
// fixture) against its orchestrator, the code of the version the history started with when the app registers
// versions side by side, printing success or the first divergence; exit code 0 or 1. Run it under
// `node --inspect-brk` to step through the orchestrator with breakpoints (docs/testing.md).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AppDefinition } from '../app/app-definition.js';
import { loadApp } from '../app/loader.js';
import { TaskhubError } from '../core/errors.js';
import type { HistoryEvent } from '../core/history.js';
import { checkReplay, type ReplayReport } from '../core/replayer.js';
import '../worker/async-context.js';
import { print, printJson } from './output.js';

export interface ReplayCommandOptions {
  readonly json?: boolean;
}

/** What a history file may hold: an export (name, instanceId) or a recorded fixture (orchestrator). */
interface HistoryFile {
  readonly name?: string;
  readonly orchestrator?: string;
  readonly instanceId?: string;
  readonly history?: readonly HistoryEvent[];
}

export async function replayCommand(file: string, appPath: string, options: ReplayCommandOptions): Promise<void> {
  const { name, instanceId, history, version } = readHistoryFile(file);
  const app = await loadApp(appPath, { app: new AppDefinition() });
  const choice = app.definition.registry.orchestrationFor(name, version);
  if (choice && 'refused' in choice) throw new TaskhubError('UNKNOWN_FUNCTION', choice.refused);
  const registered = choice?.registered;
  if (!registered) {
    const known = app.definition.registry.orchestrations().map((o) => o.name);
    throw new TaskhubError(
      'UNKNOWN_FUNCTION',
      `The app at ${path.resolve(appPath)} has no orchestrator '${name}' (it has: ${known.join(', ') || 'none'}).`,
    );
  }
  const report = await checkReplay(registered.handler, history, { instanceId, name: registered.name });
  if (options.json) printJson(report.ok ? { ok: true, runtimeStatus: report.result.runtimeStatus } : report);
  else
    print(
      formatReport(report, history.length, version === undefined ? name : `${name}' version '${version}`, instanceId),
    );
  if (!report.ok) process.exitCode = 1;
}

function readHistoryFile(file: string): {
  name: string;
  instanceId: string;
  history: readonly HistoryEvent[];
  version: string | undefined;
} {
  let parsed: HistoryFile | readonly HistoryEvent[];
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as HistoryFile | readonly HistoryEvent[];
  } catch (err) {
    throw new TaskhubError('INVALID_ARGUMENT', `Cannot read ${file} as JSON: ${(err as Error).message}`);
  }
  // A bare array of events is accepted too (e.g. the `history` of a dashboard export).
  const body: HistoryFile = Array.isArray(parsed) ? { history: parsed } : (parsed as HistoryFile);
  if (!Array.isArray(body.history) || body.history.length === 0) {
    throw new TaskhubError('INVALID_ARGUMENT', `${file} has no history: export one with 'taskhub export <id>'.`);
  }
  const history = body.history as readonly HistoryEvent[];
  const started = history.find((e) => e.eventType === 'ExecutionStarted');
  const startedEvent = started?.eventType === 'ExecutionStarted' ? started : undefined;
  const name = body.name ?? body.orchestrator ?? startedEvent?.name;
  if (!name) throw new TaskhubError('INVALID_ARGUMENT', `${file} names no orchestrator and has no ExecutionStarted.`);
  const version = startedEvent?.version === '' ? undefined : startedEvent?.version;
  return { name, instanceId: body.instanceId ?? startedEvent?.instanceId ?? 'replay', history, version };
}

function formatReport(report: ReplayReport, events: number, name: string, instanceId: string): string {
  const what = `${events} events of '${name}' (instance ${instanceId})`;
  if (report.ok) {
    return `OK: the current code replays ${what}; it is now ${report.result.runtimeStatus}.`;
  }
  const d = report.divergence;
  return [
    `DIVERGED: the current code does not replay ${what}.`,
    `  at #${d.sequenceId}`,
    `  history: ${d.history}`,
    `  code:    ${d.code}`,
    ...(d.location === undefined ? [] : [`  call:    ${d.location}`]),
    '',
    report.message.split('\n')[0] ?? '',
  ].join('\n');
}
