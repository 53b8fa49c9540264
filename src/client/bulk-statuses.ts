// The runtime statuses each bulk operation applies to, one list for `taskhub <op> --status …` and the dashboard's bulk
// actions: an operation on a filter acts only on the instances it can change and leaves the others alone (suspending
// a Terminated instance is not a failure to report 306 times, it is not a target).
import { TERMINAL_STATUSES, type RuntimeStatus } from '../core/history.js';

export type BulkOperation = 'rewind' | 'restart' | 'terminate' | 'suspend' | 'resume' | 'purge';

export const BULK_APPLIES_TO: Readonly<Record<BulkOperation, readonly RuntimeStatus[]>> = {
  rewind: ['Failed'],
  restart: TERMINAL_STATUSES,
  terminate: ['Running', 'Pending', 'Suspended'],
  suspend: ['Running', 'Pending'],
  resume: ['Suspended'],
  purge: TERMINAL_STATUSES,
};
