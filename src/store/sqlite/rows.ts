// Row shapes shared by the SQL stores and their conversion to the Store contract's records.
import { TaskhubError } from '../../core/errors.js';
import type { FailureDetails, RuntimeStatus } from '../../core/history.js';
import type { InstanceOrder, InstancePage, InstanceRecord, NewInstance } from '../store.js';

export interface InstanceRow {
  instance_id: string;
  execution_id: string;
  name: string;
  runtime_status: string;
  input: string | null;
  output: string | null;
  failure_details: string | null;
  custom_status: string | null;
  parent_instance_id: string | null;
  created_time: string;
  last_updated_time: string;
  history_length: number;
  locked_by: string | null;
  lock_expires: number;
  entity_state?: string | null;
  /** Claims by a new owner since the last committed episode (instances table, migration 3). */
  delivery_count?: number;
  /** JSON object of strings (migration 5). */
  tags?: string | null;
  /** The orchestration version the instance was created with (migration 6). */
  version?: string | null;
}

export function toInstance(row: InstanceRow, showInput = true): InstanceRecord {
  return {
    instanceId: row.instance_id,
    executionId: row.execution_id,
    name: row.name,
    runtimeStatus: row.runtime_status as RuntimeStatus,
    ...(row.input !== null && showInput ? { input: row.input } : {}),
    ...(row.output !== null ? { output: row.output } : {}),
    ...(row.failure_details !== null ? { failureDetails: JSON.parse(row.failure_details) as FailureDetails } : {}),
    ...(row.custom_status !== null ? { customStatus: row.custom_status } : {}),
    ...(row.parent_instance_id !== null ? { parentInstanceId: row.parent_instance_id } : {}),
    createdTime: row.created_time,
    lastUpdatedTime: row.last_updated_time,
    historyLength: Number(row.history_length),
    ...(row.entity_state != null ? { entityState: row.entity_state } : {}),
    ...(row.tags != null ? { tags: JSON.parse(row.tags) as Record<string, string> } : {}),
    ...(row.version != null ? { version: row.version } : {}),
  };
}

/** The version a new instance is stored with: its ExecutionStarted's, or null for none. */
export function versionOf(instance: NewInstance): string | null {
  const start = instance.startEvent;
  return start.eventType === 'ExecutionStarted' && start.version !== undefined && start.version !== ''
    ? start.version
    : null;
}

/** Tags as stored: JSON text, or null for none. */
export function tagsText(tags: Readonly<Record<string, string>> | undefined): string | null {
  return tags && Object.keys(tags).length > 0 ? JSON.stringify(tags) : null;
}

/** Keyset pagination token: the (created_time, instance_id) of the last row of the page. */
export function encodeToken(createdTime: string, instanceId: string): string {
  return Buffer.from(JSON.stringify([createdTime, instanceId])).toString('base64url');
}

export function decodeToken(token: string): [string, string] {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((p) => typeof p === 'string')) {
      return parsed as [string, string];
    }
  } catch {
    // fall through to the error below
  }
  throw new Error(`Invalid continuation token '${token}': pass back the token a previous page returned.`);
}

/** The column each dashboard order sorts by (then by instance id). */
export const ORDER_COLUMNS: Record<InstanceOrder, keyof InstanceRow> = {
  createdTime: 'created_time',
  lastUpdatedTime: 'last_updated_time',
  name: 'name',
  runtimeStatus: 'runtime_status',
  instanceId: 'instance_id',
};

/** A query's page size (default 100); INVALID_ARGUMENT unless it is a positive integer. */
export function pageSizeOf(query: { readonly pageSize?: number | undefined }): number {
  const pageSize = query.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new TaskhubError('INVALID_ARGUMENT', `Page size must be a positive integer, got ${String(query.pageSize)}.`);
  }
  return pageSize;
}

/** The (order value, instance id) a continuation token carries; INVALID_ARGUMENT for anything else. */
export function continuationOf(token: string): [string, string] {
  try {
    return decodeToken(token);
  } catch (err) {
    throw new TaskhubError('INVALID_ARGUMENT', (err as Error).message);
  }
}

/**
 * One page from rows read with LIMIT pageSize + 1: the first pageSize rows, and when there were more, a continuation
 * token made of the last row's order value and instance id.
 */
export function toPage(
  rows: readonly InstanceRow[],
  pageSize: number,
  column: keyof InstanceRow,
  showInput = true,
): InstancePage {
  const more = rows.length > pageSize;
  const page = more ? rows.slice(0, pageSize) : rows;
  const last = page.at(-1);
  return {
    instances: page.map((r) => toInstance(r, showInput)),
    ...(more && last ? { continuationToken: encodeToken(String(last[column]), last.instance_id) } : {}),
  };
}
