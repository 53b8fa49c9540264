// host.json `extensions.queues` as the Functions host reads it, with Azure's defaults. Durations take the
// TimeSpan form ("00:00:02", "1.00:00:00") or a number of milliseconds.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TaskhubError } from '../../../core/errors.js';
import { resolveSettingExpressions } from '../../settings.js';

export interface QueueHostOptions {
  /** Longest wait between polls of an empty queue (ms; Azure default one minute). */
  readonly maxPollingIntervalMs: number;
  /** How long a failed message stays invisible before its retry (ms; Azure default 0). */
  readonly visibilityTimeoutMs: number;
  /** Messages fetched per poll (1-32; Azure default 16). */
  readonly batchSize: number;
  /** Deliveries before a message moves to `<queue>-poison` (Azure default 5). */
  readonly maxDequeueCount: number;
  /** In-flight count at or below which the next batch is fetched (Azure default batchSize / 2). */
  readonly newBatchThreshold: number;
  /** 'base64' (Azure's default) or 'none'. */
  readonly messageEncoding: 'base64' | 'none';
}

export const QUEUE_DEFAULTS: QueueHostOptions = {
  maxPollingIntervalMs: 60_000,
  visibilityTimeoutMs: 0,
  batchSize: 16,
  maxDequeueCount: 5,
  newBatchThreshold: 8,
  messageEncoding: 'base64',
};

const TIMESPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/;

/** "hh:mm:ss[.fff]", "d.hh:mm:ss" or a number of milliseconds → ms. */
export function parseDuration(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const match = typeof value === 'string' ? TIMESPAN.exec(value.trim()) : null;
  if (!match) {
    throw new TaskhubError('INVALID_ARGUMENT', `${where}: '${String(value)}' is not a duration like "00:00:30".`);
  }
  const [, days = '0', hours, minutes, seconds, fraction = '0'] = match;
  const ms = Number(`0.${fraction}`) * 1000;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000 + ms;
}

function wholeNumber(value: unknown, where: string, min: number, max: number): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new TaskhubError('INVALID_ARGUMENT', `${where}: '${String(value)}' is not a whole number in ${min}..${max}.`);
  }
  return n;
}

const cache = new Map<string, QueueHostOptions>();

/** The app's queue options (host.json in `root`; Azure's defaults where it says nothing). Read once per root. */
export function queueHostOptions(root: string | undefined): QueueHostOptions {
  if (root === undefined) return QUEUE_DEFAULTS;
  let options = cache.get(root);
  if (!options) {
    options = readQueueOptions(root);
    cache.set(root, options);
  }
  return options;
}

function readQueueOptions(root: string): QueueHostOptions {
  const file = path.join(root, 'host.json');
  if (!existsSync(file)) return QUEUE_DEFAULTS;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { extensions?: { queues?: Record<string, unknown> } };
  const raw = resolveSettingExpressions(parsed.extensions?.queues ?? {}, 'host.json extensions.queues');
  const where = (key: string): string => `host.json extensions.queues.${key}`;
  const batchSize =
    raw.batchSize === undefined ? QUEUE_DEFAULTS.batchSize : wholeNumber(raw.batchSize, where('batchSize'), 1, 32);
  const encoding = typeof raw.messageEncoding === 'string' ? raw.messageEncoding.toLowerCase() : 'base64';
  if (encoding !== 'base64' && encoding !== 'none') {
    throw new TaskhubError('INVALID_ARGUMENT', `${where('messageEncoding')}: '${encoding}' is not base64 or none.`);
  }
  return {
    maxPollingIntervalMs:
      raw.maxPollingInterval === undefined
        ? QUEUE_DEFAULTS.maxPollingIntervalMs
        : Math.max(100, parseDuration(raw.maxPollingInterval, where('maxPollingInterval'))),
    visibilityTimeoutMs:
      raw.visibilityTimeout === undefined ? 0 : parseDuration(raw.visibilityTimeout, where('visibilityTimeout')),
    batchSize,
    maxDequeueCount:
      raw.maxDequeueCount === undefined ? 5 : wholeNumber(raw.maxDequeueCount, where('maxDequeueCount'), 1, 1000),
    newBatchThreshold:
      raw.newBatchThreshold === undefined
        ? Math.floor(batchSize / 2)
        : wholeNumber(raw.newBatchThreshold, where('newBatchThreshold'), 0, 1000),
    messageEncoding: encoding,
  };
}
