// Recorded histories (test/fixtures/histories/*.json) must keep replaying in every later version: each replays to its
// recorded outcome, and re-executing its episodes one by one reproduces the recorded history exactly.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EpisodeResult } from '../../src/core/episode.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { createOrchestrationExecutor } from '../../src/core/replay.js';
import { isMessage } from '../../src/core/replay-events.js';
import { replayHistory } from '../../src/core/replayer.js';
import { fixtureOrchestrators } from '../fixtures/orchestrators.js';

interface Fixture {
  readonly description: string;
  readonly orchestrator: string;
  readonly expected: {
    readonly runtimeStatus: string;
    readonly output?: string;
    readonly input?: string;
    readonly errorType?: string;
    readonly errorMessage?: string;
    readonly customStatus?: string;
  };
  readonly history: HistoryEvent[];
}

const dir = join(import.meta.dirname, '..', 'fixtures', 'histories');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fixture] as const);

/**
 * Fixtures stored by an earlier Taskhub whose live runs now record more: they must still replay, and an instance
 * stopped after any of their episodes must go on without a divergence, but re-executing them records today's shape.
 */
const earlierShapes: Record<string, string> = {
  'retry.json':
    'no timer after the last failed retry attempt, no maxAttempts on TaskScheduled (retry-final-timer.json has both)',
};

function summary(result: EpisodeResult): Fixture['expected'] {
  const o = result.outcome;
  return {
    runtimeStatus: result.runtimeStatus,
    ...((o.status === 'Completed' || o.status === 'Terminated') && o.output !== undefined ? { output: o.output } : {}),
    ...(o.status === 'Failed'
      ? { errorMessage: o.failureDetails.errorMessage, errorType: o.failureDetails.errorType }
      : {}),
    ...(o.status === 'ContinuedAsNew' && o.input !== undefined ? { input: o.input } : {}),
    ...(result.customStatus === undefined ? {} : { customStatus: result.customStatus }),
  };
}

function episodes(history: readonly HistoryEvent[]): HistoryEvent[][] {
  const out: HistoryEvent[][] = [];
  for (const e of history) {
    if (e.eventType === 'OrchestratorStarted') out.push([]);
    out.at(-1)?.push(e);
  }
  return out;
}

describe('recorded histories', () => {
  it('exist', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });

  for (const [file, fixture] of fixtures) {
    const handler = fixtureOrchestrators[fixture.orchestrator];
    const started = fixture.history.find((e) => e.eventType === 'ExecutionStarted');
    const options = {
      instanceId: started?.eventType === 'ExecutionStarted' ? started.instanceId : 'fixture',
      name: fixture.orchestrator,
    };

    it(`${file} replays to its recorded outcome (${fixture.description})`, () => {
      if (!handler) throw new Error(`unknown orchestrator ${fixture.orchestrator}`);
      expect(summary(replayHistory(handler, fixture.history, options))).toEqual(fixture.expected);
    });

    if (earlierShapes[file] !== undefined) {
      it(`${file} goes on from every stored episode without a divergence (${earlierShapes[file]})`, () => {
        if (!handler) throw new Error(`unknown orchestrator ${fixture.orchestrator}`);
        const recorded = episodes(fixture.history);
        const stored: HistoryEvent[] = [];
        for (const next of recorded) {
          const resumed = createOrchestrationExecutor(handler, options);
          resumed.replay(stored);
          const result = resumed.execute(next.filter(isMessage), next[0]?.timestamp ?? '');
          expect(result.outcome.status === 'Failed' ? result.outcome.failureDetails : undefined).toBeUndefined();
          stored.push(...next);
        }
      });
      continue;
    }

    it(`${file} re-executes episode by episode to the same history`, () => {
      if (!handler) throw new Error(`unknown orchestrator ${fixture.orchestrator}`);
      const live = createOrchestrationExecutor(handler, options);
      const stored: HistoryEvent[] = [];
      let last: EpisodeResult | undefined;
      for (const recorded of episodes(fixture.history)) {
        const now = recorded[0]?.timestamp ?? '';
        const messages = recorded.filter(isMessage);
        last = live.execute(messages, now);
        expect(last.newHistory).toEqual(recorded);
        const fresh = createOrchestrationExecutor(handler, options);
        fresh.replay(stored);
        expect(fresh.execute(messages, now)).toEqual(last);
        stored.push(...recorded);
      }
      if (!last) throw new Error('empty history');
      expect(summary(last)).toEqual(fixture.expected);
    });
  }
});
