// What `taskhub start` logs while it serves, as a user reads it: one `Executed 'Functions.X'` line per invocation with
// its outcome and duration, a failing activity or HTTP function at warn with its message at the default level, JSON
// when the output is not a terminal, readable lines when asked (--log-format pretty), and the level flags.
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../until.js';
import { makeApp, startAppHost, taskhub, type AppHost } from './cli-helpers.js';

interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly event?: string;
  readonly functionName?: string;
  readonly outcome?: string;
  readonly durationMs?: number;
  readonly err?: { readonly message: string; readonly stack?: string };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function serve(args: string[], env: Record<string, string | undefined> = {}) {
  const app = makeApp();
  const host = await startAppHost(app.dir, args, { TASKHUB_LOG_LEVEL: undefined, ...env });
  cleanup.push(async () => {
    await host.stop();
    app.remove();
  });
  return { host, cwd: app.dir };
}

/** Greet (two activities), Breaks (its activity throws) and both HTTP calls, then waits for Breaks' failure line. */
async function exercise(host: AppHost, cwd: string, failureLine: RegExp): Promise<void> {
  expect((await taskhub(['run', 'Greet', '--id', 'greet-1', '--input', '"Ann"', '--wait'], { cwd })).code).toBe(0);
  expect((await fetch(`${host.url}/api/hello/Bo`)).status).toBe(200);
  expect((await fetch(`${host.url}/api/hello/crash`)).status).toBe(500);
  expect((await taskhub(['run', 'Breaks', '--id', 'breaks-1', '--input', '7', '--wait'], { cwd })).code).toBe(1);
  await until(() => failureLine.test(host.output()), { what: `a log line like ${failureLine}` });
}

function records(output: string): LogRecord[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogRecord);
}

describe('taskhub start logs', () => {
  it('writes one JSON record per invocation when piped: successes at info, failures at warn with their message', async () => {
    const { host, cwd } = await serve([]);
    await exercise(host, cwd, /Executed 'Functions\.Breaks' \(Failed/);
    const executed = records(host.output()).filter((r) => r.event === 'function.executed');

    const hello = executed.filter((r) => r.functionName === 'SayHello');
    expect(hello.map((r) => r.msg)).toEqual([
      expect.stringMatching(/^Executed 'Functions\.SayHello' \(Succeeded, Id=greet-1:0, Duration=\d+ms\)$/),
      expect.stringMatching(/^Executed 'Functions\.SayHello' \(Succeeded, Id=greet-1:1, Duration=\d+ms\)$/),
    ]);
    expect(hello.every((r) => r.level === 30 && typeof r.durationMs === 'number')).toBe(true);
    const greet = executed.filter((r) => r.functionName === 'Greet');
    expect(greet.at(-1)?.msg).toMatch(/^Executed 'Functions\.Greet' \(Succeeded, Id=greet-1, Status=Completed, /);

    const explode = executed.find((r) => r.functionName === 'Explode');
    expect(explode).toMatchObject({ level: 40, outcome: 'Failed', err: { message: 'boom: 7' } });
    expect(explode?.msg).toMatch(/^Executed 'Functions\.Explode' \(Failed, Id=breaks-1:0, Duration=\d+ms\): boom: 7$/);
    const breaks = executed.find((r) => r.functionName === 'Breaks' && r.outcome === 'Failed');
    expect(breaks).toMatchObject({ level: 40 });
    expect(breaks?.msg).toContain('Status=Failed');

    const http = executed.filter((r) => r.functionName === 'Hello');
    expect(http.map((r) => [r.level, r.outcome])).toEqual([
      [30, 'Succeeded'],
      [40, 'Failed'],
    ]);
    expect(http[1]?.msg).toMatch(/: the handler gave up$/);
    // At info, the start of an invocation is not logged: one line each.
    expect(records(host.output()).some((r) => r.event === 'function.executing')).toBe(false);
  });

  it('writes readable lines with --log-format pretty, and the starts too with --verbose', async () => {
    const { host, cwd } = await serve(['--log-format', 'pretty', '--verbose']);
    await exercise(host, cwd, /WARN Executed 'Functions\.Breaks' \(Failed/);
    const output = host.output();
    const time = String.raw`\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\]`;
    expect(output).toMatch(
      new RegExp(
        String.raw`^${time} DEBUG Executing 'Functions\.SayHello' \(Reason='Activity scheduled by greet-1', Id=greet-1:0\)$`,
        'm',
      ),
    );
    expect(output).toMatch(
      new RegExp(String.raw`^${time} Executed 'Functions\.SayHello' \(Succeeded, Id=greet-1:0, Duration=\d+ms\)$`, 'm'),
    );
    expect(output).toMatch(
      new RegExp(
        String.raw`^${time} WARN Executed 'Functions\.Explode' \(Failed, Id=breaks-1:0, Duration=\d+ms\): boom: 7$`,
        'm',
      ),
    );
    expect(output).not.toMatch(/^\{"level"/m);
    // Not a terminal, so no colours.
    expect(output).not.toContain('\u001b[');
  });

  it('colours pretty lines when FORCE_COLOR asks, and --log-level warn keeps only the failures', async () => {
    const { host, cwd } = await serve(['--log-format', 'pretty', '--log-level', 'warn'], { FORCE_COLOR: '1' });
    await exercise(host, cwd, /Executed 'Functions\.Breaks' \(Failed/);
    const output = host.output();
    expect(output).toContain("\u001b[33mWARN\u001b[0m \u001b[33mExecuted 'Functions.Explode' (Failed");
    expect(output).not.toContain('Succeeded');
  });

  it('refuses an unknown level or format, naming the valid ones', async () => {
    const app = makeApp();
    cleanup.push(() => Promise.resolve(app.remove()));
    const level = await taskhub(['start', '--log-level', 'loud'], { cwd: app.dir });
    expect(level.code).toBe(1);
    expect(level.stderr).toContain(
      '--log-level must be one of trace, debug, info, warn, error, fatal, silent, not loud',
    );
    const format = await taskhub(['start', '--log-format', 'xml'], { cwd: app.dir });
    expect(format.code).toBe(1);
    expect(format.stderr).toContain('--log-format must be one of pretty, json, not xml');
  });
});
