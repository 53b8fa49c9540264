// Async orchestrators in the tools around the engine: every recorded fixture history (recorded from generators)
// replays against its async twin; `taskhub replay` checks an async app and reports its divergence with the file:line;
// the test hub runs async orchestrators with virtual time; an app that awaits inside a function* (or registers an
// async function*) fails to load with the fix in the message.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { OrchestrationContext } from '../../src/core/context.js';
import type { HistoryEvent } from '../../src/core/history.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { checkReplay, createTestHub, type TestHub } from '../../src/testing/index.js';
import { asyncFixtureOrchestrators } from './async-fixtures.js';
import { cliCommand, ROOT } from './host.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/histories');
const APP = 'test/e2e/async-app.ts';

async function taskhub(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...cliCommand(), ...args], {
      cwd: ROOT,
      env: { ...process.env, TASKHUB_LOG_LEVEL: 'warn' },
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('recorded histories', () => {
  it('every recorded fixture replays against the async twin of its generator, ending as recorded', async () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      const fixture = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as {
        orchestrator: keyof typeof asyncFixtureOrchestrators;
        history: HistoryEvent[];
      };
      const report = await checkReplay(asyncFixtureOrchestrators[fixture.orchestrator], fixture);
      expect({ file, ok: report.ok }).toEqual({ file, ok: true });
      if (!report.ok) continue;
      const recorded = fixture.history.findLast((e) => e.eventType === 'ExecutionCompleted');
      if (recorded?.eventType === 'ExecutionCompleted' && recorded.orchestrationStatus !== 'Terminated') {
        expect({ file, status: report.result.runtimeStatus }).toEqual({ file, status: recorded.orchestrationStatus });
      }
    }
  });

  it('taskhub replay checks an async app, and reports its changed call with the file:line, exit code 1', async () => {
    const [ok, changed] = await Promise.all([
      taskhub('replay', path.join(FIXTURES, 'hello-chain.json'), APP),
      taskhub('replay', path.join(FIXTURES, 'hello-chain.json'), 'test/e2e/async-changed-app.ts'),
    ]);
    expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' });
    expect(ok.stdout).toMatch(/^OK: the current code replays 16 events of 'helloChain'/);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain("history: TaskScheduled #1 'SayHello'");
    expect(changed.stdout).toContain("code:    calls activity 'Greet'");
    expect(changed.stdout).toContain(`call:    ${path.join(ROOT, 'test/e2e/async-changed-app.ts')}:9:`);
  }, 120_000);
});

describe('the test hub', () => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  it('runs async orchestrators with virtual time: a 24-hour timeout escalates, an approval in time wins', async () => {
    const registry = new FunctionRegistry();
    registry.registerOrchestration('Escalation', async (ctx: OrchestrationContext) => {
      const deadline = ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 24 * 3600_000));
      const approved = ctx.df.waitForExternalEvent('Approved');
      const winner = await ctx.df.Task.any([approved, deadline]);
      if (winner === approved) {
        deadline.cancel();
        return 'approved';
      }
      return ctx.df.callActivity('Escalate', ctx.df.getInput());
    });
    registry.registerActivity('Escalate', (order) => `escalated ${String(order)}`);
    const started = Date.now();
    hub = await createTestHub({ registry, autoAdvance: true });
    const late = await hub.client.startNew('Escalation', { input: 'order-7' });
    const early = await hub.client.startNew('Escalation', { input: 'order-8' });
    await hub.waitForIdle();
    await hub.client.raiseEvent(early, 'Approved', true);
    expect((await hub.waitForCompletion(early)).output).toBe('approved');
    expect((await hub.waitForCompletion(late)).output).toBe('escalated order-7');
    expect(hub.now().getTime() - started).toBeGreaterThanOrEqual(24 * 3600_000);
  });
});

describe('checkReplay fed the wrong history', () => {
  it("refuses the status API's history, naming the history it needs; the stored events of the same instance replay", async () => {
    const registry = new FunctionRegistry();
    const chain = async (ctx: OrchestrationContext): Promise<string> =>
      `${await ctx.df.callActivity<string>('Hello', 'a')} ${await ctx.df.callActivity<string>('Hello', 'b')}`;
    registry.registerOrchestration('Chain', chain);
    registry.registerActivity('Hello', (name) => `hello ${String(name)}`);
    const hub = await createTestHub({ registry });
    try {
      const id = await hub.client.startNew('Chain');
      expect((await hub.waitForCompletion(id)).output).toBe('hello a hello b');
      const status = await hub.client.getStatus(id, { showHistory: true, showHistoryOutput: true });
      const shown = status.history as unknown as HistoryEvent[];
      expect(shown.length).toBeGreaterThan(0);
      const needs =
        /^Replay got the status API's history \(getStatus\(id, \{ showHistory: true \}\)\.history, or showHistory=true\), which leaves out what a replay needs: .* It needs the stored events of the instance, as 'taskhub export <id>' writes them/;
      await expect(async () => checkReplay(chain, shown)).rejects.toThrow(needs);
      await expect(async () => checkReplay(chain, { history: shown })).rejects.toThrow(needs);
      const report = await checkReplay(chain, await hub.client.getHistory(id));
      expect(report.ok).toBe(true);
    } finally {
      await hub.close();
    }
  });
});

describe('loading an app', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-async-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Loads the app in a fresh Node process, as `taskhub start` does; the load error's message, if any. */
  async function loadError(file: string): Promise<string | undefined> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'test/app/load-app-main.ts'), file],
      { cwd: ROOT },
    );
    return (JSON.parse(stdout) as { error?: string }).error;
  }

  it.each(['app.cjs', 'app.mjs', 'app.ts'])(
    'await inside a function* (%s) fails to load, saying what to write',
    async (name) => {
      const file = path.join(dir, name);
      const source = [
        name.endsWith('.cjs') ? "const df = require('durable-functions');" : "import * as df from 'durable-functions';",
        "df.app.orchestration('Mixed', function* (context) {",
        "  const r = await context.df.callActivity('A');",
        '  return r;',
        '});',
      ];
      writeFileSync(file, source.join('\n'));
      const error = await loadError(file);
      expect(error).toMatch(/await|reserved word/);
      // Where: file:line:column of the await (esbuild, which compiles TypeScript, counts columns from 0).
      expect(error).toContain(name.endsWith('.ts') ? `${file}:3:12` : `(loading ${file}:3:13)`);
      expect(error).toMatch(/Write `async function` and `await`, or `function\*` and `yield`\.$/);
    },
    60_000,
  );

  it('df.orchestrator(async function*) in a function folder fails to load, named after its folder', async () => {
    const app = path.join(dir, 'classic');
    mkdirSync(path.join(app, 'Both'), { recursive: true });
    writeFileSync(path.join(app, 'host.json'), '{ "version": "2.0" }');
    writeFileSync(
      path.join(app, 'Both', 'function.json'),
      JSON.stringify({ bindings: [{ name: 'context', type: 'orchestrationTrigger', direction: 'in' }] }),
    );
    writeFileSync(
      path.join(app, 'Both', 'index.js'),
      [
        "const df = require('durable-functions');",
        'module.exports = df.orchestrator(async function* (context) {',
        "  yield await context.df.callActivity('A');",
        '});',
      ].join('\n'),
    );
    expect(await loadError(app)).toMatch(
      /^The orchestrator 'Both' is an async generator \(async function\*\): write either an async function .* \(df\.orchestrator\(fn\) in .*Both\/index\.js\)$/,
    );
  }, 60_000);

  it('an async function* orchestrator fails at registration, saying what to write', async () => {
    const file = path.join(dir, 'generator.mjs');
    writeFileSync(
      file,
      [
        "import * as df from 'durable-functions';",
        "df.app.orchestration('Both', async function* (context) {",
        "  yield await context.df.callActivity('A');",
        '});',
      ].join('\n'),
    );
    expect(await loadError(file)).toMatch(
      /^The orchestrator 'Both' is an async generator \(async function\*\): write either an async function/,
    );
  }, 60_000);
});
