// A pooled connection held across several statements (a transaction). While the pool holds a connection it listens
// for its errors; once checked out nobody does, and a server restart between two statements would emit an 'error'
// that ends the process. This keeps a listener on it while held and hands a broken connection back to be discarded.
import type pg from 'pg';
import { storeFailureKind } from '../store-failure.js';

export async function withConnection<T>(pool: pg.Pool, use: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error): void => {
    broken = err;
  };
  client.on('error', onError);
  try {
    return await use(client);
  } catch (err) {
    // A statement that failed because the connection dropped leaves a connection nobody can use again.
    if (storeFailureKind(err) === 'unavailable') broken ??= err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
