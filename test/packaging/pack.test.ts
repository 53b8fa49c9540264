// The newcomer's path, from the packed tarball: `npm pack` (prepack builds), install it into a fresh folder, scaffold
// every template with the installed CLI and run its own `npm run build`, `npm test` and `npm start` (until HTTP
// answers), run docs/testing.md's examples verbatim (extracted from the page by their markers, so page and test cannot
// drift) and its CI replay recipe, and compile a tiny consumer under each module setting, strict, without skipLibCheck.
//
// It needs the npm registry's Azure packages, TypeScript, Vitest and Jest: installs prefer the local npm cache, and the
// test runs only with TASKHUB_PACK_TEST=1 (.ci/run sets it; CI reaches the registry). better-sqlite3 is the one native
// dependency: its compile would take minutes per folder, so the tarball is installed once (with the very
// better-sqlite3 build this checkout uses) and every scaffold links that installed package, as `file:` links do.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/host.js';
import { until } from '../until.js';

const enabled = process.env.TASKHUB_PACK_TEST === '1';
if (!enabled) {
  console.log(
    'test/packaging/pack.test.ts skipped: set TASKHUB_PACK_TEST=1 to pack Taskhub, install the tarball, scaffold every ' +
      'template and run its scripts (needs the npm registry or a warm npm cache; about 3 minutes).',
  );
}

interface Example {
  readonly kind: string;
  readonly file: string;
  readonly source: string;
}

/** docs/testing.md's marked blocks: `<!-- testing-example: KIND PATH -->` right above a fenced block. */
function docExamples(): Example[] {
  const page = readFileSync(path.join(ROOT, 'docs/testing.md'), 'utf8');
  const marker = /<!-- testing-example: (\S+) (\S+) -->\n```\w*\n([\s\S]*?)```/g;
  return [...page.matchAll(marker)].map(([, kind, file, source]) => ({ kind: kind!, file: file!, source: source! }));
}

function examples(kind: string): Example[] {
  const found = docExamples().filter((e) => e.kind === kind);
  if (found.length === 0) throw new Error(`docs/testing.md has no '${kind}' example (marker testing-example: ${kind})`);
  return found;
}

/** The child's environment: none of the npm/Vitest variables of the process running this test. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|VITEST|TASKHUB_|NODE_OPTIONS$|NODE_ENV$|TEST$)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', ...extra };
}

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/**
 * Runs a command to its end (in its own process group, all of which is ended after `timeoutMs`: a hang fails the test
 * instead of outliving it); its stdout and stderr interleaved, for the failure message.
 */
function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
  timeoutMs = 300_000,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      process.kill(-child.pid!, 'SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // Runners colour their summaries even when piped (Vitest); the assertions read plain text.
      resolve({ code, output: stripVTControlCharacters(output) });
    });
  });
}

async function ok(
  command: string,
  args: readonly string[],
  cwd: string,
  env?: Record<string, string>,
): Promise<string> {
  const result = await run(command, args, cwd, env);
  if (result.code !== 0) {
    throw new Error(`'${command} ${args.join(' ')}' in ${cwd} exited ${result.code}:\n${result.output}`);
  }
  return result.output;
}

const npmInstall = ['install', '--prefer-offline', '--no-audit', '--no-fund'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

type PackageJson = Record<string, Record<string, string>>;

function editJson(file: string, edit: (json: PackageJson) => void): void {
  const json = JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  edit(json);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
}

/** `npm start` in its own process group, so stopping it stops npm, the host and its language worker together. */
function npmStart(cwd: string, port: number): { child: ChildProcess; output: () => string; exited: Promise<void> } {
  const child = spawn('npm', ['start'], {
    cwd,
    env: cleanEnv({ PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, output: () => output, exited };
}

async function stop(started: { child: ChildProcess; exited: Promise<void> }): Promise<void> {
  if (started.child.exitCode !== null || started.child.signalCode !== null) return;
  process.kill(-started.child.pid!, 'SIGTERM');
  await started.exited;
}

/** Starts the app's `npm start`, starts `orchestrator` over HTTP, and returns its status URL and the running host. */
async function startAndCall(cwd: string, orchestrator: string) {
  const port = await freePort();
  const started = npmStart(cwd, port);
  let response: Response | undefined;
  try {
    await until(
      async () => {
        if (started.child.exitCode !== null) throw new Error(`npm start exited:\n${started.output()}`);
        response = await fetch(`http://127.0.0.1:${port}/api/orchestrators/${orchestrator}`, { method: 'POST' }).catch(
          () => undefined,
        );
        return response !== undefined;
      },
      { what: `npm start in ${cwd} to answer HTTP`, timeoutMs: 90_000, pollMs: 200 },
    );
  } catch (err) {
    await stop(started);
    throw err;
  }
  return { started, response: response!, port };
}

const TEMPLATES = [
  { name: 'ts', flags: [] },
  { name: 'js', flags: ['--js'] },
  { name: 'classic', flags: ['--classic'] },
] as const;

describe.skipIf(!enabled)('the packed tarball, as a new user gets it', () => {
  let work: string;
  let installed: string; // the folder the tarball was installed into
  let tarball: string; // the packed Taskhub
  let taskhubCli: string;
  const timings: Record<string, number> = {};

  async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const start = Date.now();
    try {
      return await fn();
    } finally {
      timings[what] = Date.now() - start;
    }
  }

  /** `taskhub new` with the installed CLI, then `npm install` with taskhub linked to the installed package. */
  async function scaffold(name: string, flags: readonly string[], devDependencies: readonly string[] = []) {
    const dir = path.join(work, 'apps', name);
    await ok(process.execPath, [taskhubCli, 'new', dir, ...flags], work);
    editJson(path.join(dir, 'package.json'), (pkg) => {
      // The scaffold takes Taskhub from where the installing project got it: the tarball, made absolute.
      expect(pkg.devDependencies!.taskhub).toBe(`file:${tarball}`);
      pkg.devDependencies!.taskhub = `file:${path.join(installed, 'node_modules/taskhub')}`;
    });
    await ok('npm', [...npmInstall, ...(devDependencies.length > 0 ? ['--save-dev', ...devDependencies] : [])], dir);
    return dir;
  }

  const apps: Record<string, string> = {};

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'taskhub-pack-'));
    const packOutput = await timed('npm pack', () => ok('npm', ['pack', '--pack-destination', work, '--silent'], ROOT));
    tarball = path.join(work, packOutput.trim().split('\n').at(-1)!);
    expect(existsSync(tarball), packOutput).toBe(true);

    installed = path.join(work, 'installed');
    mkdirSync(installed);
    writeFileSync(path.join(installed, 'package.json'), '{ "private": true }\n');
    // The native addon: the same version this checkout built, installed without its compile and given that build.
    const sqliteDir = path.join(ROOT, 'node_modules/better-sqlite3');
    const sqliteVersion = (
      JSON.parse(readFileSync(path.join(sqliteDir, 'package.json'), 'utf8')) as { version: string }
    ).version;
    await timed('install the tarball', () =>
      ok(
        'npm',
        [
          ...npmInstall,
          '--ignore-scripts',
          tarball,
          `better-sqlite3@${sqliteVersion}`,
          'typescript@~5.9.3',
          '@types/node@^20.19.0',
        ],
        installed,
      ),
    );
    const addon = 'build/Release/better_sqlite3.node';
    mkdirSync(path.dirname(path.join(installed, 'node_modules/better-sqlite3', addon)), { recursive: true });
    copyFileSync(path.join(sqliteDir, addon), path.join(installed, 'node_modules/better-sqlite3', addon));
    taskhubCli = path.join(installed, 'node_modules/taskhub/bin/taskhub.js');

    await timed('scaffold and npm install', async () => {
      const [ts, js, classic, vitest, jest] = await Promise.all([
        scaffold('ts', []),
        scaffold('js', ['--js']),
        scaffold('classic', ['--classic']),
        scaffold('vitest', [], ['vitest@^3']),
        scaffold('jest', ['--js'], ['jest@^30']),
      ]);
      Object.assign(apps, { ts: ts, js: js, classic: classic, vitest: vitest, jest: jest });
    });
  }, 600_000);

  afterAll(() => {
    if (!enabled) return;
    console.log(`test/packaging timings (ms): ${JSON.stringify(timings)}`);
    if (work && process.env.TASKHUB_PACK_KEEP !== '1') rmSync(work, { recursive: true, force: true });
  });

  it('ships what it needs and nothing it does not: dist without source maps, no src/', () => {
    const pkg = path.join(installed, 'node_modules/taskhub');
    expect(existsSync(path.join(pkg, 'dist/index.js'))).toBe(true);
    expect(existsSync(path.join(pkg, 'dist/testing/register.js'))).toBe(true);
    expect(existsSync(path.join(pkg, 'dist/index.js.map'))).toBe(false);
    expect(existsSync(path.join(pkg, 'src'))).toBe(false);
  });

  it.each(TEMPLATES)('the $name template: npm run build, npm test and npm start pass', async ({ name }) => {
    const dir = apps[name]!;
    await timed(`${name}: build`, () => ok('npm', ['run', 'build', '--if-present'], dir));
    const tested = await timed(`${name}: test`, () => ok('npm', ['test'], dir));
    expect(tested).toMatch(/# pass 2\b/);
    expect(tested).toMatch(/# fail 0\b/);

    const { started, response } = await timed(`${name}: start`, () => startAndCall(dir, 'HelloOrchestrator'));
    try {
      expect(response.status).toBe(202);
      const { statusQueryGetUri } = (await response.json()) as { statusQueryGetUri: string };
      let output: unknown;
      await until(
        async () => {
          const status = (await (await fetch(statusQueryGetUri)).json()) as { runtimeStatus: string; output: unknown };
          output = status.output;
          return status.runtimeStatus === 'Completed';
        },
        { what: 'HelloOrchestrator to complete', timeoutMs: 30_000 },
      );
      expect(output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    } finally {
      await stop(started);
    }
  });

  it("a node:test file that imports the app's module itself gets Taskhub's durable-functions through the preset", async () => {
    const dir = apps.js!;
    const file = path.join(dir, 'test/direct-import.test.js');
    writeFileSync(
      file,
      [
        "import assert from 'node:assert/strict';",
        "import { test } from 'node:test';",
        "import { createTestHub } from 'taskhub/testing';",
        "import '../src/functions/hello.js';",
        "test('the default registry has the imported app', async () => {",
        '  const hub = await createTestHub();',
        "  const id = await hub.client.startNew('HelloOrchestrator');",
        "  assert.deepEqual((await hub.waitForCompletion(id)).output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);",
        '  await hub.close();',
        '});',
        '',
      ].join('\n'),
    );
    try {
      const output = await ok('npm', ['test'], dir);
      expect(output).toMatch(/# pass 3\b/);
    } finally {
      unlinkSync(file);
    }
  });

  it('a failing test fails npm test instead of hanging it, with the hub left open', async () => {
    const dir = apps.js!;
    const file = path.join(dir, 'test/left-open.test.js');
    writeFileSync(
      file,
      [
        "import assert from 'node:assert/strict';",
        "import { test } from 'node:test';",
        "import { createTestHub } from 'taskhub/testing';",
        "test('fails before closing its hub', async () => {",
        "  const hub = await createTestHub({ app: '.' });",
        "  const id = await hub.client.startNew('HelloOrchestrator');",
        "  assert.equal((await hub.waitForCompletion(id)).runtimeStatus, 'Failed');",
        '});',
        '',
      ].join('\n'),
    );
    try {
      const result = await run('npm', ['test'], dir, {}, 60_000);
      expect(result.output).not.toContain('[killed after');
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/# fail 1\b/);
    } finally {
      unlinkSync(file);
    }
  });

  it("docs/testing.md's node:test example passes verbatim, beside the template's own test", async () => {
    const dir = apps.ts!;
    const [app] = examples('app');
    writeFileSync(path.join(dir, `${app!.file}.ts`), app!.source);
    for (const example of examples('node-test')) writeFileSync(path.join(dir, example.file), example.source);
    // checkReplay from the installed package: an exported history file, and a location in the user's own file.
    writeFileSync(
      path.join(dir, 'test/replay.test.ts'),
      [
        "import assert from 'node:assert/strict';",
        "import { test } from 'node:test';",
        "import { checkReplay, createTestHub } from 'taskhub/testing';",
        '',
        "test('checkReplay takes an exported history and names this file', async () => {",
        "  const hub = await createTestHub({ app: '.' });",
        "  const id = await hub.client.startNew('HelloOrchestrator');",
        '  await hub.waitForCompletion(id);',
        "  const file = JSON.stringify({ instanceId: id, name: 'HelloOrchestrator', history: await hub.store.getHistory(id) });",
        '  await hub.close();',
        '  const changed = function* (context: any) {',
        "    return yield context.df.callActivity('Greet', 'Tokyo');",
        '  };',
        '  const report = checkReplay(changed, JSON.parse(file));',
        '  assert.equal(report.ok, false);',
        '  if (!report.ok) assert.match(String(report.divergence.location), /test\\/replay\\.test\\.ts:12:\\d+$/);',
        '});',
        '',
      ].join('\n'),
    );
    const output = await timed('docs: node:test', () => ok('npm', ['test'], dir));
    expect(output).toMatch(/# pass 5\b/); // the template's 2, the page's 2, the replay check
    expect(output).toMatch(/# fail 0\b/);
  });

  it("docs/testing.md's Vitest example passes verbatim", async () => {
    const dir = apps.vitest!;
    const [app] = examples('app');
    writeFileSync(path.join(dir, `${app!.file}.ts`), app!.source);
    rmSync(path.join(dir, 'test/hello.test.ts')); // the template's node:test test: this app switched runners
    for (const example of examples('vitest')) writeFileSync(path.join(dir, example.file), example.source);
    editJson(path.join(dir, 'package.json'), (pkg) => (pkg.scripts!.test = 'vitest run'));
    // With the plugin, a test file may import the app's module itself (the real @azure/functions would skip it).
    writeFileSync(
      path.join(dir, 'test/direct-import.test.ts'),
      [
        "import { expect, test } from 'vitest';",
        "import { createTestHub } from 'taskhub/testing';",
        "import '../src/functions/hello.js';",
        "test('the default registry has the imported app', async () => {",
        '  const hub = await createTestHub();',
        "  const id = await hub.client.startNew('HelloOrchestrator');",
        "  expect((await hub.waitForCompletion(id)).output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);",
        '  await hub.close();',
        '});',
        '',
      ].join('\n'),
    );
    const output = await timed('docs: vitest', () => ok('npm', ['test'], dir));
    expect(output).toMatch(/Tests\s+3 passed \(3\)/);
  });

  it("docs/testing.md's Jest example passes verbatim", async () => {
    const dir = apps.jest!;
    const [app] = examples('app');
    writeFileSync(path.join(dir, `${app!.file}.js`), app!.source);
    rmSync(path.join(dir, 'test/hello.test.js'));
    for (const example of examples('jest')) writeFileSync(path.join(dir, example.file), example.source);
    editJson(
      path.join(dir, 'package.json'),
      (pkg) => (pkg.scripts!.test = 'node --experimental-vm-modules node_modules/jest/bin/jest.js'),
    );
    const output = await timed('docs: jest', () => ok('npm', ['test'], dir));
    expect(output).toMatch(/Tests:\s+1 passed, 1 total/);

    // A test failing with its hub open: Jest reports it and exits (withTaskhub's setup file closes the hub).
    const file = path.join(dir, 'test/left-open.test.js');
    writeFileSync(
      file,
      [
        "import { createTestHub } from 'taskhub/testing';",
        "test('fails before closing its hub', async () => {",
        "  const hub = await createTestHub({ app: '.' });",
        "  expect((await hub.waitForCompletion(await hub.client.startNew('HelloOrchestrator'))).runtimeStatus).toBe('Failed');",
        '});',
        '',
      ].join('\n'),
    );
    try {
      const failing = await run('npm', ['test'], dir, {}, 60_000);
      expect(failing.output).not.toContain('[killed after');
      expect(failing.output).toMatch(/Tests:\s+1 failed, 1 passed, 2 total/);
      expect(failing.code).toBe(1);
    } finally {
      unlinkSync(file);
    }
  });

  it("docs/testing.md's CI recipe replays the running instances, and passes with none", async () => {
    const [recipe] = examples('ci');
    const install = (dir: string): string => {
      const file = path.join(dir, recipe!.file);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, recipe!.source, { mode: 0o755 });
      return file;
    };
    const env = { TASKHUB_STORE: 'sqlite:.taskhub/taskhub.db', TASKHUB_HUB: 'MyDurableApp' };

    // The js app's instances all completed (its start test above): nothing to replay is a pass.
    const none = await ok('bash', [install(apps.js!), '.'], apps.js!, env);
    expect(none).not.toMatch(/histories\/\*\.json/);

    // The ts app (with the page's Approval app) gets an instance that waits 24 hours: Running.
    const dir = apps.ts!;
    const { started, response } = await startAndCall(dir, 'Approval');
    try {
      expect(response.status).toBe(202);
      const { statusQueryGetUri } = (await response.json()) as { statusQueryGetUri: string };
      await until(
        async () =>
          ((await (await fetch(statusQueryGetUri)).json()) as { runtimeStatus: string }).runtimeStatus === 'Running',
        { what: 'Approval to run', timeoutMs: 30_000 },
      );
    } finally {
      await stop(started);
    }
    const replayed = await timed('docs: CI recipe', () => ok('bash', [install(dir), '.'], dir, env));
    expect(replayed).toMatch(/OK: the current code replays \d+ events of 'Approval'/);
  });

  const CONSUMER = `import { createLogger, df, openSqliteStore, openTaskHub, type Logger, type SqliteStore } from 'taskhub';
import { openPostgresStore, type PostgresStore } from 'taskhub/postgres';
import { checkReplay, createTestHub, type TestHub } from 'taskhub/testing';
import { withTaskhub } from 'taskhub/testing/jest';
import { taskhub } from 'taskhub/testing/vitest';

df.app.orchestration('Hello', function* (context) {
  return yield context.df.callActivity('Hi', context.df.getInput());
});

export async function check(): Promise<string> {
  const logger: Logger = createLogger({ level: 'silent' });
  const store: SqliteStore = openSqliteStore({ path: ':memory:' });
  const hub = await openTaskHub({ store, logger });
  const postgres: PostgresStore = openPostgresStore({ connectionString: 'postgres://localhost/taskhub' });
  const test: TestHub = await createTestHub({ app: '.' });
  const report = checkReplay(function* () {}, { history: await test.store.getHistory('x') });
  return [hub.client, postgres.schema, report.ok, withTaskhub({}).testEnvironment, taskhub().name].join();
}
`;

  const SETTINGS = [
    { name: 'commonjs (node10)', file: 'consumer.ts', options: { module: 'commonjs', moduleResolution: 'node10' } },
    { name: 'node16', file: 'consumer.mts', options: { module: 'node16', moduleResolution: 'node16' } },
    { name: 'nodenext', file: 'consumer.mts', options: { module: 'nodenext', moduleResolution: 'nodenext' } },
    { name: 'bundler', file: 'consumer.ts', options: { module: 'esnext', moduleResolution: 'bundler' } },
  ];

  /** Compiles the consumer under one setting; the compiler's errors on failure. */
  async function compileConsumer(setting: (typeof SETTINGS)[number]): Promise<void> {
    // Inside the install folder, so the consumer resolves taskhub, its dependencies and @types/node from there.
    const dir = path.join(installed, `consumer-${setting.name.replace(/\W+/g, '-')}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, setting.file), CONSUMER);
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { ...setting.options, target: 'ES2022', strict: true, skipLibCheck: false, noEmit: true },
        files: [setting.file],
      }),
    );
    await timed(`tsc ${setting.name}`, () =>
      ok(process.execPath, [path.join(installed, 'node_modules/typescript/bin/tsc'), '-p', dir], dir),
    );
  }

  it(`a consumer compiles under module ${SETTINGS.map((s) => s.name).join(', ')}; strict, without skipLibCheck`, async () => {
    // Four compiles at once: each checks every declaration it reaches (no skipLibCheck), mostly @types/node.
    const results = await Promise.allSettled(SETTINGS.map(compileConsumer));
    const failed = results.flatMap((r, i) =>
      r.status === 'rejected' ? [`${SETTINGS[i]!.name}: ${String(r.reason)}`] : [],
    );
    expect(failed).toEqual([]);
  });
});
