// Row shapes shared by the SQL stores and their conversion to the Store contract's records.
import type { FailureDetails, RuntimeStatus } from '../../core/history.js';
import type { InstanceRecord } from '../store.js';

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
  };
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
