// Opens a real task hub on a SQLite file in a temp dir for worker tests, and closes it afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import type { WorkerOptions } from '../../src/hub-types.js';
import { createLogger } from '../../src/log.js';

export type TestHub = Awaited<ReturnType<typeof openTaskHub>> & { readonly dir: string; readonly file: string };

export async function openTestHub(
  register: (registry: FunctionRegistry) => void,
  worker: WorkerOptions = {},
  file?: string,
): Promise<TestHub> {
  const dir = file ? '' : mkdtempSync(join(tmpdir(), 'taskhub-test-'));
  const path = file ?? join(dir, 'hub.db');
  const registry = new FunctionRegistry();
  register(registry);
  const hub = await openTaskHub({
    store: path,
    registry,
    worker: { pollIntervalMs: 50, ...worker },
    logger: createLogger({ level: process.env.TASKHUB_LOG_LEVEL ?? 'silent' }),
  });
  await hub.start();
  const close = hub.close.bind(hub);
  return Object.assign(hub, {
    dir,
    file: path,
    async close() {
      await close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  });
}
