// Ctrl-C / SIGTERM for the long-running commands (start, dashboard, serve-grpc): stop taking work at the front door,
// then drain the task hub and exit; a second signal exits at once.
import type { TaskHub } from '../hub-types.js';
import type { Logger } from '../log.js';
import { print, printError } from './output.js';

/** What takes requests: the HTTP host, the gRPC server. `close()` stops taking new ones and ends those in flight. */
export interface FrontDoor {
  close(): Promise<void>;
}

/**
 * On SIGINT or SIGTERM: closes `front`, runs `beforeHub` (the language worker, Azurite …), closes the hub, exits 0;
 * exits 1 when a step fails (logged), and 130 at once on a second signal.
 */
export function drainOnSignal(
  front: FrontDoor,
  hub: TaskHub,
  logger: Logger,
  beforeHub: () => Promise<void> = () => Promise.resolve(),
): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      printError(`${signal} again: exiting without draining.`);
      process.exit(130);
    }
    stopping = true;
    print(`${signal}: draining (Ctrl-C again to exit at once)…`);
    void (async () => {
      try {
        await front.close();
        await beforeHub();
        await hub.close();
        print('Stopped.');
        process.exit(0);
      } catch (err) {
        logger.error({ err }, 'host.stop-failed');
        process.exit(1);
      }
    })();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
