// Spans survive SIGKILL honestly: worker processes with the OpenTelemetry SDK (spans appended to a file as they end)
// are killed mid-chain and started again. Every instance stays one trace across processes (its trace context is read
// back from its stored history), and no committed fact is ever traced twice: no activity or timer span repeats, and
// no instance has more episode spans than committed episodes, though restarts replay every history from the start.
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { ChainHub, killAfterProgress } from '../crash/chain-runs.js';
import { readSpanLines, type SpanLine } from './file-span-exporter.js';

const COUNT = 20;
// Long enough that a fast machine cannot finish every chain between two polls before the last kill.
const STEPS = 40;
const KILLS = 3;
const hub = new ChainHub('taskhub-otel-crash-');
const spansFile = join(hub.dir, 'spans.jsonl');
// Chains of 20 ms activities with a timer halfway, in hosts that register the OpenTelemetry SDK.
const startChild = () => hub.startHost({ count: COUNT, steps: STEPS, stepMs: 20, timer: true, spansFile });

const instanceOf = (s: SpanLine): unknown => s.attributes['durabletask.task.instance_id'];

describe('spans across SIGKILL and restart', () => {
  it(`${KILLS} kills mid-chain: one trace per instance, no committed step traced twice`, async () => {
    // Polled every 2 ms: a slower poll can let a fast machine finish every chain before the last kill.
    const kills = await killAfterProgress(hub, startChild, { kills: KILLS, maxStepsPastEvidence: 20, pollMs: 2 });
    const pids = new Set(kills.flatMap((k) => (k.pid === undefined ? [] : [k.pid])));
    // The kills left work for a last process, which runs every chain to its end.
    expect(await hub.count('Completed')).toBeLessThan(COUNT);
    const last = startChild();
    expect(await last.output).toContain('done');
    expect(await hub.count('Completed')).toBe(COUNT);

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
      const history = await hub.store.getHistory(id);
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
