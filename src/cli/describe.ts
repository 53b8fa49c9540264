// `taskhub status` for people: a summary of the instance, then its history as a table of events (the status API's
// rendering of the history, so the names match `showHistory=true`). Pure: status JSON in, text out.
import type { StatusJson } from '../client/status-view.js';
import { describeWaitingFor } from '../client/waiting-for.js';
import { abbreviate, formatTable, out, paintStatus, type Palette } from './output.js';

const VALUE_WIDTH = 100;
const DETAILS_WIDTH = 70;

/** A JSON value as one short line: strings as they are, the rest as JSON, cut at `max` characters. */
export function shortJson(value: unknown, max = VALUE_WIDTH): string {
  if (value === null || value === undefined) return '';
  return abbreviate(typeof value === 'string' ? value : JSON.stringify(value), max);
}

/** A duration in milliseconds as people read it: 850ms, 12.3s, 4m 05s, 2h 10m, 3d 4h. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const pad = (n: number): string => String(Math.floor(n)).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad((s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s / 3600) % 24)}h`;
}

/** The status API gives times to the second, so a shorter span reads "under 1s", not "0ms". */
function roughDuration(ms: number): string {
  return ms < 1000 ? 'under 1s' : formatDuration(ms);
}

const FINISHED = new Set(['Completed', 'Failed', 'Terminated']);

export function describeInstance(status: StatusJson, colors: Palette = out, now = Date.now()): string {
  const created = Date.parse(status.createdTime);
  const updated = Date.parse(status.lastUpdatedTime);
  const finished = FINISHED.has(status.runtimeStatus);
  const duration = finished ? updated - created : now - created;
  const fields: [string, string][] = [
    ['Name', colors.bold(status.name)],
    ['Instance ID', status.instanceId],
    ['Version', status.version ?? ''],
    ['Status', paintStatus(status.runtimeStatus, colors)],
    ['Created', status.createdTime],
    ['Last updated', status.lastUpdatedTime],
    ['Duration', Number.isNaN(duration) ? '' : `${roughDuration(duration)}${finished ? '' : ' so far'}`],
    ['Input', shortJson(status.input)],
    ['Output', shortJson(status.output)],
    ['Custom status', shortJson(status.customStatus)],
  ];
  const width = Math.max(...fields.map(([label]) => label.length)) + 2;
  const lines = fields
    .filter(([label, value]) => value !== '' || label === 'Input' || label === 'Output')
    .map(([label, value]) => `${colors.dim(`${label}:`.padEnd(width))}${value}`);
  // Taskhub's "waiting for": one line each, under the summary.
  const waiting = status.waitingFor ? describeWaitingFor(status.waitingFor) : [];
  waiting.forEach((line, i) => lines.push(`${colors.dim((i === 0 ? 'Waiting for:' : '').padEnd(width))}${line}`));
  const events = status.historyEvents ?? [];
  if (events.length === 0) return lines.join('\n');
  const rows = events.map((event) => [
    text(event.Timestamp),
    text(event.EventType),
    eventName(event),
    eventDetails(event),
  ]);
  const table = formatTable(['TIME', 'EVENT', 'NAME', 'DETAILS'], rows, {
    maxWidth: DETAILS_WIDTH,
    colors,
    paint: (cell, column) => (column === 1 && /Failed$/.test(cell) ? colors.red(cell) : cell),
  });
  return `${lines.join('\n')}\n\n${colors.bold('History:')}\n${table}`;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function eventName(event: Record<string, unknown>): string {
  const name = event.FunctionName ?? event.Name;
  return typeof name === 'string' ? name : '';
}

/** What matters about one event, in a few words. */
function eventDetails(event: Record<string, unknown>): string {
  const parts: string[] = [];
  const add = (label: string, value: unknown): void => {
    const text = shortJson(value, DETAILS_WIDTH);
    if (text !== '') parts.push(`${label}=${text}`);
  };
  const failure = event.FailureDetails as { ErrorMessage?: unknown } | undefined;
  switch (event.EventType) {
    case 'ExecutionCompleted':
      add('status', event.OrchestrationStatus);
      add('result', event.Result);
      add('error', failure?.ErrorMessage);
      break;
    case 'TaskFailed':
    case 'SubOrchestrationInstanceFailed':
      add('error', failure?.ErrorMessage ?? event.Reason);
      break;
    case 'TimerCreated':
    case 'TimerFired':
      add('fireAt', event.FireAt);
      break;
    case 'SubOrchestrationInstanceCreated':
    case 'EventSent':
      add('instance', event.InstanceId);
      add('input', event.Input);
      break;
    case 'ExecutionSuspended':
    case 'ExecutionResumed':
    case 'ExecutionRewound':
      add('reason', event.Reason);
      break;
    case 'ExecutionTerminated':
      add('reason', event.Input);
      break;
    default:
      if ('Result' in event) add('result', event.Result);
      else add('input', event.Input);
  }
  return parts.join(' ');
}
