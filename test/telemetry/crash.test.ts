// Spans survive SIGKILL honestly: worker processes with the OpenTelemetry SDK (spans appended to a file as they end)
// are killed mid-chain and started again. Every instance stays one trace across processes (its trace context is read
// back from its stored history), and no committed fact is ever traced twice: no activity or timer span repeats, and
// no instance has more episode spans than committed episodes, though restarts replay every history from the start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runScript, type ScriptProcess } from '../script-process.js';
import { randomBetween, until } from '../until.js';
import { readSpanLines, type SpanLine } from './file-span-exporter.js';

const COUNT = 20;
// Long enough that a fast machine cannot finish every chain between two polls before the last kill.
const STEPS = 40;
const KILLS = 3;
const dir = mkdtempSync(join(tmpdir(), 'taskhub-otel-crash-'));
const file = join(dir, 'hub.db');
const spansFile = join(dir, 'spans.jsonl');
let store: SqliteStore;

beforeAll(async () => {
  store = openSqliteStore({ path: file, hubName: 'TestHubName' });
  await store.migrate();
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function startChild(): ScriptProcess {
  return runScript(join(import.meta.dirname, 'chain-child.ts'), [file, spansFile, String(COUNT), String(STEPS)]);
}

function committed(eventType: string): number {
  const row = store.db
    .prepare(
      `SELECT count(*) AS n FROM history, json_each(history.events)
        WHERE json_extract(json_each.value, '$.eventType') = ?`,
    )
    .get(eventType) as { n: number };
  return row.n;
}

async function completed(): Promise<number> {
  return (await store.queryInstances({ runtimeStatus: ['Completed'], pageSize: 1000 })).instances.length;
}

const instanceOf = (s: SpanLine): unknown => s.attributes['durabletask.task.instance_id'];

describe('spans across SIGKILL and restart', () => {
  it(`${KILLS} kills mid-chain: one trace per instance, no committed step traced twice`, async () => {
    const pids = new Set<number>();
    for (let k = 0; k < KILLS; k++) {
      const before = committed('TaskCompleted');
      const child = startChild();
      if (child.child.pid !== undefined) pids.add(child.child.pid);
      const progressed = (steps: number): boolean => {
        if (child.exited()) throw new Error(`child ${k} exited before it was killed`);
        return committed('TaskCompleted') >= steps;
      };
      await until(() => progressed(before + 1), { what: `child ${k} to commit a step`, timeoutMs: 120_000, pollMs: 2 });
      const killAt = committed('TaskCompleted') + randomBetween(0, 20);
      await until(() => progressed(killAt), {
        what: `child ${k} to commit ${killAt} steps`,
        timeoutMs: 120_000,
        pollMs: 2,
      });
      child.child.kill('SIGKILL');
      await child.output;
    }
    // The kills left work for a last process, which runs every chain to its end.
    expect(await completed()).toBeLessThan(COUNT);
    const last = startChild();
    expect(await last.output).toContain('done');
    expect(await completed()).toBe(COUNT);

    const spans = readSpanLines(spansFile);
    // Spans came from the killed processes too, not only from the last one.
    expect(new Set(spans.map((s) => s.pid)).size).toBeGreaterThan(1);
    const ids = spans.map((s) => s.spanId);
    expect(new Set(ids).size).toBe(ids.length);

    for (let n = 0; n < COUNT; n++) {
      const id = `chain-${n}`;
      const mine = spans.filter((s) => instanceOf(s) === id);
      const create = mine.filter((s) => s.name === 'create_orchestration:Chain');
      expect(create, id).toHaveLength(1);
      const root = create[0]!;
      // Every span of the instance, whichever process emitted it, is in the start's trace and under the start.
      for (const s of mine) {
        expect(s.traceId, `${s.name} of ${id}`).toBe(root.traceId);
        if (s !== root) expect(s.parentSpanId, `${s.name} of ${id}`).toBe(root.spanId);
      }
      // A step is traced once at most: a process killed after a step's commit but before its span was written loses
      // that span, and a replay never writes one again.
      const activityTasks = mine
        .filter((s) => s.name === 'activity:Step')
        .map((s) => s.attributes['durabletask.task.task_id']);
      expect(new Set(activityTasks).size, `activity spans of ${id}`).toBe(activityTasks.length);
      expect(activityTasks.length).toBeLessThanOrEqual(STEPS);
      const timers = mine.filter((s) => s.name === 'orchestration:Chain:timer');
      expect(timers.length).toBeLessThanOrEqual(1);
      const history = await store.getHistory(id);
      const episodes = history.filter((e) => e.eventType === 'OrchestratorStarted').length;
      const episodeSpans = mine.filter((s) => s.name === 'orchestration:Chain' && s.kind === SpanKind.SERVER);
      expect(episodeSpans.length, `episode spans of ${id}`).toBeLessThanOrEqual(episodes);
    }
    // Spans lost to kills are few: at most the steps in flight at each kill, never most of them.
    const activitySpans = spans.filter((s) => s.name === 'activity:Step').length;
    expect(activitySpans).toBeGreaterThan(COUNT * STEPS * 0.5);
    expect(pids.size).toBe(KILLS);
  });
});
