// Ctrl-C (SIGINT) or SIGTERM during a benchmark: the servers and temp dirs it made are stopped and removed before the
// process ends with 128 + the signal's number, so an interrupted run leaves no PostgreSQL or restate-server running
// (a server started by pg_ctl is in a session of its own and would not get the terminal's Ctrl-C) and no data behind.
import { constants } from 'node:os';

type Cleanup = () => void | Promise<void>;

const cleanups = new Set<Cleanup>();
let installed = false;
let interrupted = false;

/** Runs `cleanup` if the process is interrupted before the returned function is called (when the thing is gone). */
export function onInterrupt(cleanup: Cleanup): () => void {
  install();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Installs the handlers alone, so the process ends with a cleanup (and 'exit' handlers run) on SIGINT and SIGTERM. */
export function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(signal));
}

async function stop(signal: 'SIGINT' | 'SIGTERM'): Promise<void> {
  if (interrupted) return; // a second Ctrl-C while cleaning up: the cleanup goes on
  interrupted = true;
  process.stderr.write(`\n${signal}: stopping the servers this run started and removing their data...\n`);
  // Newest first: what was started last may depend on what was started before it.
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
    } catch (err) {
      process.stderr.write(`cleanup after ${signal} failed: ${String(err)}\n`);
    }
  }
  // process.exit runs the 'exit' handlers too (test/store/pg-server.ts stops its server in one).
  process.exit(128 + constants.signals[signal]);
}
