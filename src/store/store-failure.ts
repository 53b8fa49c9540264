// Which store errors are outages rather than bugs: the one place that knows the error codes of both backends.
// Callers retry an outage with backoff, the HTTP layer answers it with 503 or 507, and nothing treats it as a crash.

/**
 * 'unavailable': the store cannot be reached or is busy now (connection lost or refused, PostgreSQL shutting down or
 * restarting, SQLITE_BUSY, I/O errors) and will likely answer again soon. 'full': the disk under the store is full;
 * nothing was written, and reads still work. undefined: not an outage (a bug, a constraint, a bad argument).
 */
export type StoreFailureKind = 'unavailable' | 'full';

/** Node socket errors that mean the database server is not there (yet, or any more). */
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs: 57P01 admin_shutdown (`pg_ctl restart -m fast`), 57P02 crash_shutdown, 57P03 cannot_connect_now
 * (starting up or shutting down), 53300 too_many_connections, 08xxx connection exceptions.
 */
const UNAVAILABLE_SQLSTATE = new Set(['57P01', '57P02', '57P03', '53300']);

/** node-postgres reports a dropped connection with a plain Error and one of these messages (no code). */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated', // '… unexpectedly', '… due to connection timeout'
  'is not queryable', // 'Client has encountered a connection error and …', 'Client was closed and …'
  'timeout exceeded when trying to connect',
];

export function storeFailureKind(err: unknown): StoreFailureKind | undefined {
  // Wrapped errors (`new Error(…, { cause })`) are classified by what they wrap.
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const kind = ownKind(e);
    if (kind) return kind;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function ownKind(err: unknown): StoreFailureKind | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    // SQLite (better-sqlite3 uses the extended code names: SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT …).
    if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || code === '53100') return 'full';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code.startsWith('SQLITE_IOERR')) {
      return 'unavailable';
    }
    if (code === 'SQLITE_PROTOCOL' || code === 'SQLITE_CANTOPEN') return 'unavailable';
    if (UNAVAILABLE_ERRNO.has(code) || UNAVAILABLE_SQLSTATE.has(code) || /^08[0-9A-Z]{3}$/.test(code)) {
      return 'unavailable';
    }
  }
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string' && PG_CONNECTION_MESSAGES.some((m) => message.includes(m))) return 'unavailable';
  return undefined;
}
