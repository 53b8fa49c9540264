// Where a local activity is kept while it runs, on a real SQLite file: in its instance's row when its input is small
// (no work item written), as a work item locked for its worker when the input is larger than
// LOCAL_IN_ROW_MAX_INPUT (the row's list is rewritten by every commit, so it stays small). Both kinds complete in one
// orchestration and leave nothing behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { LOCAL_IN_ROW_MAX_INPUT } from '../../src/worker/orchestration-dispatcher.js';

const dir = mkdtempSync(join(tmpdir(), 'taskhub-local-input-'));
const file = join(dir, 'hub.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the store holds for the instance while an activity runs (read beside the hub, from another connection). */
function stored(instanceId: string): { workItems: { task: number; lockedBy: string | null }[]; localWork: unknown } {
  const db = new Database(file, { readonly: true });
  try {
    const workItems = db
      .prepare('SELECT task_scheduled_id AS task, locked_by AS lockedBy FROM work_items WHERE instance_id = ?')
      .all(instanceId) as { task: number; lockedBy: string | null }[];
    const row = db.prepare('SELECT local_work FROM instances WHERE instance_id = ?').get(instanceId) as {
      local_work: string | null;
    };
    return { workItems, localWork: row.local_work === null ? null : JSON.parse(row.local_work) };
  } finally {
    db.close();
  }
}

describe('local activities by input size', () => {
  it('keeps a small input in the instance row and a large one as a locked work item', async () => {
    const seen: Record<string, ReturnType<typeof stored>> = {};
    const registry = new FunctionRegistry();
    registry.registerActivity('Look', (input) => {
      const { label, id } = input as { label: string; id: string; pad: string };
      seen[label] = stored(id);
      return label;
    });
    registry.registerOrchestration('Two', function* (ctx: OrchestrationContext) {
      const id = ctx.df.instanceId;
      const small = (yield ctx.df.callActivity('Look', { label: 'small', id, pad: '' })) as string;
      const pad = 'x'.repeat(LOCAL_IN_ROW_MAX_INPUT);
      const large = (yield ctx.df.callActivity('Look', { label: 'large', id, pad })) as string;
      return `${small}+${large}`;
    });
    const hub = await openTaskHub({ store: file, registry, logger: createLogger({ level: 'silent' }) });
    try {
      await hub.start();
      await hub.client.startNew('Two', { instanceId: 'two' });
      const status = await hub.client.waitForCompletion('two', { timeoutInMilliseconds: 60_000 });
      expect(status.runtimeStatus).toBe('Completed');
      expect(status.output).toBe('small+large');
      expect(seen.small).toEqual({
        workItems: [],
        localWork: [
          { taskScheduledId: 0, name: 'Look', input: JSON.stringify({ label: 'small', id: 'two', pad: '' }) },
        ],
      });
      expect(seen.large?.localWork).toBeNull();
      expect(seen.large?.workItems).toEqual([{ task: 1, lockedBy: hub.worker?.id }]);
      expect(stored('two')).toEqual({ workItems: [], localWork: null });
    } finally {
      await hub.close();
    }
  });
});
