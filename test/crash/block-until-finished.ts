// Blocks the calling process, as a synchronous loop in app code does (its lease renewal included), until another
// worker has finished the instance in the SQLite file, or two minutes passed. For lease-takeover tests.
import Database from 'better-sqlite3';

export function blockUntilFinishedElsewhere(file: string, instanceId: string): void {
  const db = new Database(file, { readonly: true });
  const status = db.prepare('SELECT runtime_status AS s FROM instances WHERE instance_id = ?');
  const deadline = Date.now() + 120_000;
  try {
    while ((status.get(instanceId) as { s: string } | undefined)?.s !== 'Completed' && Date.now() < deadline) {
      // Busy on purpose: nothing else in this process runs meanwhile.
    }
  } finally {
    db.close();
  }
}
