// `taskhub replay` with versions registered side by side: a recorded history replays against the code of the version
// it started with. The same events replay on 1.0's code and diverge on 2.0's (which validates first), so the version
// in ExecutionStarted is what picks the code; a version the app does not have is refused, naming the ones it has.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/core/history.js';
import { runCli } from '../e2e/host.js';

const APP = path.join(import.meta.dirname, 'app');
const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-versioning-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Order waiting for Reserve, as 1.0's code recorded it, with `version` in its ExecutionStarted. */
function historyFile(version: string): string {
  const t = '2026-01-01T00:00:00.000Z';
  const history: HistoryEvent[] = [
    { eventType: 'OrchestratorStarted', eventId: -1, timestamp: t },
    {
      eventType: 'ExecutionStarted',
      eventId: -1,
      timestamp: t,
      name: 'Order',
      instanceId: 'o1',
      executionId: 'e1',
      version,
    },
    { eventType: 'TaskScheduled', eventId: 0, timestamp: t, name: 'Reserve' },
    { eventType: 'OrchestratorCompleted', eventId: -1, timestamp: t },
  ];
  const file = path.join(dir, `order-${version}.json`);
  writeFileSync(file, JSON.stringify({ name: 'Order', instanceId: 'o1', history }));
  return file;
}

describe('taskhub replay with versions side by side', () => {
  it("replays a history on the code of its own version, and diverges on another version's code", async () => {
    const own = await runCli(['replay', historyFile('1.0'), APP]);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout).toContain("OK: the current code replays 4 events of 'Order' version '1.0' (instance o1)");

    const other = await runCli(['replay', historyFile('2.0'), APP]);
    expect(other.code).toBe(1);
    expect(other.stdout).toContain("DIVERGED: the current code does not replay 4 events of 'Order' version '2.0'");
    expect(other.stdout).toContain("history: TaskScheduled #0 'Reserve'");
    expect(other.stdout).toContain("code:    calls activity 'Validate'");
  });

  it('refuses a history of a version the app does not register, naming the versions it has', async () => {
    const missing = await runCli(['replay', historyFile('0.9'), APP]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(
      "The orchestration 'Order' was started with version '0.9', which this app does not run: it runs the versions " +
        "'1.0', '2.0'.",
    );
  });
});
