// The app loader: classic function.json folders and code-first apps (ESM, CommonJS, TypeScript) load into an
// AppDefinition, with `durable-functions` and `@azure/functions` resolved to Taskhub's own modules.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./load-app-main.ts', import.meta.url));

interface Summary {
  kind?: string;
  files?: string[];
  routePrefix?: string;
  hubName?: string | null;
  http?: { name: string; route: string; methods: string[]; authLevel: string }[];
  orchestrations?: string[];
  activities?: string[];
  entities?: string[];
  unserved?: { name: string; trigger: string }[];
  error?: string;
  /** What the load logged (warnings). */
  log: string;
}

async function load(target: string, env: Record<string, string> = {}): Promise<Summary> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', MAIN, target], {
    env: { ...process.env, TASKHUB_LOG_LEVEL: 'warn', ...env },
  });
  return { ...(JSON.parse(stdout) as Omit<Summary, 'log'>), log: stderr };
}

const root = mkdtempSync(path.join(tmpdir(), 'taskhub-loader-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(root, 'app-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('classic function.json apps', () => {
  it('loads HTTP (route, methods, authLevel), activity and orchestrator functions; host.json settings', async () => {
    const dir = write({
      'package.json': '{"type":"commonjs"}',
      'host.json': '{"extensions":{"http":{"routePrefix":"v1"},"durableTask":{"hubName":"%MY_HUB%"}}}',
      'Greet/function.json': JSON.stringify({
        bindings: [
          {
            type: 'httpTrigger',
            name: 'req',
            direction: 'in',
            route: 'greet/{name}',
            methods: ['get'],
            authLevel: 'function',
          },
          { type: 'http', name: 'res', direction: 'out' },
        ],
      }),
      'Greet/index.js':
        'module.exports = async function (context, req) { context.res = { body: { hi: req.params.name, q: req.query.x } }; };',
      'Say/function.json': JSON.stringify({ bindings: [{ type: 'activityTrigger', name: 'who', direction: 'in' }] }),
      'Say/index.js': 'module.exports = async function (context) { return "Hello " + context.bindings.who; };',
      'Flow/function.json': JSON.stringify({ bindings: [{ type: 'orchestrationTrigger', name: 'context' }] }),
      'Flow/index.js':
        'const df = require("durable-functions");\nmodule.exports = df.orchestrator(function* (context) { return 1; });',
    });
    const app = await load(dir, { MY_HUB: 'FromEnv' });
    expect(app.kind).toBe('classic');
    expect(app.routePrefix).toBe('v1');
    expect(app.hubName).toBe('FromEnv');
    expect(app.http).toEqual([{ name: 'Greet', route: 'greet/{name}', methods: ['GET'], authLevel: 'function' }]);
    expect(app.activities).toEqual(['Say']);
    expect(app.orchestrations).toEqual(['Flow']);
  });

  it('lists functions with triggers it does not serve, without running their code, and loads the rest', async () => {
    const unserved = {
      OnMessage: 'serviceBusTrigger',
      OnChange: 'cosmosDBTrigger',
      OnEvent: 'eventHubTrigger',
      OnGrid: 'eventGridTrigger',
      OnSomething: 'someFutureTrigger',
    };
    const files: Record<string, string> = {
      'Say/function.json': JSON.stringify({ bindings: [{ type: 'activityTrigger', name: 'who', direction: 'in' }] }),
      'Say/index.js': 'module.exports = async () => "hi";',
    };
    for (const [name, type] of Object.entries(unserved)) {
      files[`${name}/function.json`] = JSON.stringify({ bindings: [{ type, name: 'x', direction: 'in' }] });
      files[`${name}/index.js`] = 'throw new Error("must not run");';
    }
    const app = await load(write(files));
    expect(app.error).toBeUndefined();
    expect(app.activities).toEqual(['Say']);
    expect(app.unserved).toEqual(
      Object.entries(unserved)
        .map(([name, trigger]) => ({ name, trigger }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it('warns once per binding it cannot deliver, naming function and binding, and still loads', async () => {
    const dir = write({
      'Save/function.json': JSON.stringify({
        bindings: [
          { type: 'activityTrigger', name: 'input', direction: 'in' },
          { type: 'blob', name: 'outBlob', direction: 'out', path: 'out/{rand-guid}' },
          { type: 'queue', name: 'outQueue', direction: 'out', queueName: 'q' },
          { type: 'table', name: 'rows', direction: 'in', tableName: 't' },
          { type: 'table', name: 'outRows', direction: 'out', tableName: 't' },
        ],
      }),
      'Save/index.js': 'module.exports = async () => 1;',
    });
    const app = await load(dir);
    expect(app.activities).toEqual(['Save']);
    const warnings = app.log.split('\n').filter((line) => line.includes('app.binding-not-served'));
    // Blob and queue outputs are delivered through the Storage SDK, so only the table bindings are named.
    expect(warnings).toHaveLength(2);
    expect(app.log).not.toContain("'outBlob' (blob)");
    expect(app.log).not.toContain("'outQueue' (queue)");
    expect(app.log).toContain("function 'Save': the input binding 'rows' (table) is not served by Taskhub");
    expect(app.log).toContain("function 'Save': the output binding 'outRows' (table) is not served by Taskhub");
  });
});

describe('app settings', () => {
  it('%SETTING% in function.json and host.json reads local.settings.json Values; a missing setting puts only its function in error', async () => {
    const files = {
      'local.settings.json': JSON.stringify({ Values: { ROUTE: 'from-settings', HUB: 'SettingsHub' } }),
      'host.json': JSON.stringify({ extensions: { durableTask: { hubName: '%HUB%' } } }),
      'Start/function.json': JSON.stringify({
        bindings: [{ type: 'httpTrigger', name: 'req', direction: 'in', route: 'go/%ROUTE%/{id}' }],
      }),
      'Start/index.js': 'module.exports = async () => ({ body: process.env.ROUTE });',
    };
    const app = await load(write(files));
    expect(app.hubName).toBe('SettingsHub');
    expect(app.http?.[0]?.route).toBe('go/from-settings/{id}');
    // The environment wins over local.settings.json, as with `func start`.
    expect((await load(write(files), { ROUTE: 'from-env' })).http?.[0]?.route).toBe('go/from-env/{id}');

    // As the Functions host: the function whose binding names a missing setting is in error and not served, the
    // rest of the app is (an orchestration calling it then fails that call).
    const missing = await load(
      write({
        ...files,
        'local.settings.json': '{"Values":{"HUB":"H"}}',
        'Alert/function.json': JSON.stringify({
          bindings: [
            { type: 'activityTrigger', name: 'input', direction: 'in' },
            { type: 'twilioSms', name: 'message', direction: 'out', from: '%NO_SUCH_PHONE_SETTING%' },
          ],
        }),
        'Alert/index.js': 'module.exports = async () => 1;',
        'Hello/function.json': JSON.stringify({ bindings: [{ type: 'activityTrigger', name: 'n', direction: 'in' }] }),
        'Hello/index.js': 'module.exports = async (ctx, n) => `Hello ${n}`;',
      }),
    );
    expect(missing.error).toBeUndefined();
    expect(missing.activities).toEqual(['Hello']);
    expect(missing.http).toEqual([]);
    expect(missing.unserved?.map(({ name, trigger }) => `${name} ${trigger}`)).toEqual([
      'Alert activityTrigger',
      'Start httpTrigger',
    ]);
    expect(missing.log).toMatch(/The 'Alert' function is in error: .*%NO_SUCH_PHONE_SETTING% names no app setting/);
    expect(missing.log).toMatch(/The 'Start' function is in error: .*%ROUTE% names no app setting/);
  });
});

describe('code-first apps', () => {
  it('ESM: package.json main glob, app.http and df.app registrations', async () => {
    const dir = write({
      'package.json': '{"type":"module","main":"functions/*.js"}',
      'functions/a.js':
        "import { app } from '@azure/functions';\nimport * as df from 'durable-functions';\n" +
        "app.http('A', { methods: ['POST'], handler: async (req) => ({ jsonBody: await req.json() }) });\n" +
        "df.app.activity('Double', { handler: (n) => n * 2 });",
      'functions/b.js': "import df from 'durable-functions';\ndf.app.orchestration('B', function* () { return 2; });",
    });
    const app = await load(dir);
    expect(app.kind).toBe('code-first');
    expect(app.files).toEqual(['functions/a.js', 'functions/b.js']);
    expect(app.http?.map((f) => f.name)).toEqual(['A']);
    expect(app.activities).toEqual(['Double']);
    expect(app.orchestrations).toEqual(['B']);
  });

  it('CommonJS: require() of both packages', async () => {
    const dir = write({
      'package.json': '{"type":"commonjs","main":"index.js"}',
      'index.js':
        "const { app } = require('@azure/functions');\nconst df = require('durable-functions');\n" +
        "app.get('Ping', () => ({ body: 'pong' }));\ndf.app.activity('Cjs', { handler: () => 1 });",
    });
    const app = await load(dir);
    expect(app.http).toEqual([{ name: 'Ping', methods: ['GET'], route: 'Ping', authLevel: 'anonymous' }]);
    expect(app.activities).toEqual(['Cjs']);
  });

  it('TypeScript with no build: main naming dist/ falls back to the sources', async () => {
    const dir = write({
      'package.json': '{"type":"module","main":"dist/src/functions/*.js"}',
      'src/functions/hello.ts':
        "import { app, HttpRequest, InvocationContext } from '@azure/functions';\n" +
        'const greet = (request: HttpRequest, context: InvocationContext): { body: string } => ({ body: context.functionName });\n' +
        "app.http('Ts', { handler: greet });",
    });
    const app = await load(dir);
    expect(app.files).toEqual(['src/functions/hello.ts']);
    expect(app.http?.[0]?.name).toBe('Ts');
  });

  it('TypeScript with a build older than its sources runs the sources and says so; a fresh build runs as built', async () => {
    const dir = write({
      'package.json': '{"type":"module","main":"dist/src/functions/*.js"}',
      'dist/src/functions/hello.js':
        "import { app } from '@azure/functions';\napp.http('Built', { handler: () => ({}) });",
      'src/functions/hello.ts': "import { app } from '@azure/functions';\napp.http('Edited', { handler: () => ({}) });",
    });
    const built = path.join(dir, 'dist/src/functions/hello.js');
    const source = path.join(dir, 'src/functions/hello.ts');
    // The source was edited after the last build.
    utimesSync(built, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    const stale = await load(dir);
    expect(stale.http?.map((f) => f.name)).toEqual(['Edited']);
    expect(stale.log).toContain('is older than its TypeScript sources: running the sources');
    // Built again afterwards: the build runs.
    utimesSync(source, new Date('2025-01-01T00:00:00Z'), new Date('2025-01-01T00:00:00Z'));
    const fresh = await load(dir);
    expect(fresh.http?.map((f) => f.name)).toEqual(['Built']);
    expect(fresh.log).not.toContain('older than');
  });

  it('a timer or queue function whose options name a missing app setting is in error; the rest is served', async () => {
    const dir = write({
      'index.mjs':
        "import { app } from '@azure/functions';\n" +
        "import * as df from 'durable-functions';\n" +
        "df.app.client.timer('NightlyStart', { schedule: '%NO_SUCH_SCHEDULE%', handler: () => {} });\n" +
        "app.storageQueue('Orders', { queueName: '%NO_SUCH_QUEUE%', connection: 'AzureWebJobsStorage', handler: () => {} });\n" +
        "app.get('Ping', () => ({ body: 'pong' }));",
    });
    const app = await load(path.join(dir, 'index.mjs'));
    expect(app.error).toBeUndefined();
    expect(app.http?.map((f) => f.name)).toEqual(['Ping']);
    expect(app.unserved?.map((f) => `${f.name} ${f.trigger}`)).toEqual([
      'NightlyStart timerTrigger',
      'Orders queueTrigger',
    ]);
    expect(app.log).toMatch(/The 'NightlyStart' function is in error: .*%NO_SUCH_SCHEDULE% names no app setting/);
    expect(app.log).toMatch(/The 'Orders' function is in error: .*%NO_SUCH_QUEUE% names no app setting/);
  });

  it('an app with triggers Taskhub does not serve loads, serves its HTTP functions and lists the others', async () => {
    const dir = write({
      'index.mjs':
        "import { app, input, output, trigger } from '@azure/functions';\n" +
        "const blob = output.storageBlob({ path: 'out/{rand-guid}', connection: 'AzureWebJobsStorage' });\n" +
        "app.storageQueue('Q', { queueName: 'orders', connection: 'C', extraOutputs: [blob], handler: () => {} });\n" +
        "app.generic('Changes', { trigger: trigger.cosmosDB({ connection: 'C', databaseName: 'd', containerName: 'c' }),\n" +
        "  extraInputs: [input.table({ tableName: 't', connection: 'C' })], handler: () => {} });\n" +
        "app.get('Ping', () => ({ body: 'pong' }));",
    });
    const app = await load(path.join(dir, 'index.mjs'));
    expect(app.error).toBeUndefined();
    expect(app.http?.map((f) => f.name)).toEqual(['Ping']);
    // The storage queue function is served (test/triggers/storage-queue.test.ts); the others are listed.
    expect(app.unserved).toEqual([{ name: 'Changes', trigger: 'cosmosDBTrigger' }]);
  });
});
