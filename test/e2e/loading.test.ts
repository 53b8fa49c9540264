// Loading apps as `taskhub start` does, in real CLI processes: from any current directory, with the app's own
// settings, and with functions Taskhub does not serve listed instead of stopping the app.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { post, pollUntilDone, ROOT, runCli, startHost, type RunningHost } from './host.js';

let host: RunningHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

const scratch = mkdtempSync(path.join(tmpdir(), 'taskhub-loading-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(dir: string, files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('loading does not depend on the current directory', () => {
  it('a TypeScript app starts from a folder whose tsconfig.json maps durable-functions elsewhere', async () => {
    // As this repository's own tsconfig does: before the fix, the app registered into the mapped copy and the host
    // served no functions, silently.
    const cwd = write(path.join(scratch, 'hostile'), {
      'tsconfig.json': JSON.stringify({
        compilerOptions: { paths: { 'durable-functions': ['./fake.ts'], '@azure/functions': ['./fake.ts'] } },
      }),
      'fake.ts': 'export const app = {};\nexport default { app };\n',
    });
    host = await startHost('examples/hello-ts', { cwd });
    expect(host.output()).toContain('HelloOrchestrator: orchestrationTrigger');
    const started = await post(`${host.url}/api/orchestrators/HelloOrchestrator`);
    expect(started.status).toBe(202);
    const done = await pollUntilDone(String(started.body.statusQueryGetUri));
    expect(done.body).toMatchObject({ runtimeStatus: 'Completed' });
  });

  it('an app that registers no functions stops taskhub start with a message naming what it loaded', async () => {
    const app = write(path.join(scratch, 'empty'), {
      'package.json': '{"type":"module","main":"index.js"}',
      'index.js': 'export const nothing = 1;\n',
    });
    const result = await runCli(['start', app, '--port', '0', '--store', `sqlite:${path.join(scratch, 'e.db')}`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/registers no functions \(loaded: index\.js\)/);
  });
});

describe('functions Taskhub does not serve', () => {
  it('a classic app with a Service Bus function loads, serves its HTTP starter, and lists that one as not served', async () => {
    const app = path.join(scratch, 'with-service-bus');
    cpSync(path.join(ROOT, 'examples/hello-classic'), app, { recursive: true });
    write(app, {
      'OnMessage/function.json': JSON.stringify({
        bindings: [{ type: 'serviceBusTrigger', name: 'message', direction: 'in', queueName: 'orders' }],
      }),
      'OnMessage/index.js': 'throw new Error("a function that is not served must not load");\n',
    });
    host = await startHost(app);
    expect(host.output()).toContain('OnMessage: serviceBusTrigger (not served by Taskhub)');
    const started = await post(`${host.url}/api/orchestrators/HelloOrchestrator`);
    expect(started.status).toBe(202);
    const done = await pollUntilDone(String(started.body.statusQueryGetUri));
    expect(done.body).toMatchObject({ runtimeStatus: 'Completed' });
  });
});

describe('app settings', () => {
  it('local.settings.json Values reach the app (the environment wins) and %SETTING% names the task hub', async () => {
    const app = path.join(scratch, 'with-settings');
    cpSync(path.join(ROOT, 'examples/hello-classic'), app, { recursive: true });
    write(app, {
      'host.json': JSON.stringify({ version: '2.0', extensions: { durableTask: { hubName: '%TASKHUB_NAME%' } } }),
      'local.settings.json': JSON.stringify({
        IsEncrypted: false,
        Values: { TASKHUB_NAME: 'SettingsHub', GREETING: 'Howdy', PLACE: 'from local.settings.json' },
      }),
      'Hello/index.js':
        'module.exports = async (context) => `${process.env.GREETING} ${context.bindings.name} ${process.env.PLACE}`;\n',
    });
    host = await startHost(app, { env: { PLACE: 'from the environment' } });
    expect(host.output()).toContain('(task hub SettingsHub,');
    const started = await post(`${host.url}/api/orchestrators/HelloOrchestrator`);
    expect(String(started.body.statusQueryGetUri)).toContain('taskHub=SettingsHub');
    const done = await pollUntilDone(String(started.body.statusQueryGetUri));
    expect(done.body.output).toEqual(['Tokyo', 'Seattle', 'London'].map((c) => `Howdy ${c} from the environment`));
  });
});

describe('TypeScript classic apps', () => {
  it('runs unbuilt: scriptFile ../dist/<Fn>/index.js falls back to <Fn>/index.ts in the app folder', async () => {
    // The shape `func init --worker-runtime node --language typescript` (model v3) gives, never built.
    const binding = (fn: string, bindings: unknown[]): string =>
      JSON.stringify({ bindings, scriptFile: `../dist/${fn}/index.js` });
    const app = write(path.join(scratch, 'classic-ts'), {
      'package.json': JSON.stringify({ name: 'classic-ts', main: 'dist/index.js', scripts: { build: 'tsc' } }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: { module: 'commonjs', target: 'es6', outDir: 'dist', rootDir: '.', strict: false },
      }),
      'host.json': JSON.stringify({ version: '2.0', extensions: { durableTask: { hubName: 'ClassicTs' } } }),
      'HttpStart/function.json': binding('HttpStart', [
        { authLevel: 'anonymous', name: 'req', type: 'httpTrigger', direction: 'in', route: 'start/{name}' },
        { name: '$return', type: 'http', direction: 'out' },
        { name: 'starter', type: 'durableClient', direction: 'in' },
      ]),
      'HttpStart/index.ts': [
        "import * as df from 'durable-functions';",
        "import { AzureFunction, Context, HttpRequest } from '@azure/functions';",
        'const httpStart: AzureFunction = async function (context: Context, req: HttpRequest): Promise<unknown> {',
        '  const client = df.getClient(context);',
        '  const instanceId: string = await client.startNew(req.params.name, undefined, req.body);',
        '  return client.createCheckStatusResponse(context.bindingData.req, instanceId);',
        '};',
        'export default httpStart;',
      ].join('\n'),
      'Shout/function.json': binding('Shout', [{ name: 'orchestrationContext', type: 'orchestrationTrigger' }]),
      'Shout/index.ts': [
        "import * as df from 'durable-functions';",
        'const orchestrator = df.orchestrator(function* (context) {',
        "  const loud: string = yield context.df.callActivity('Upper', 'typescript');",
        '  return loud;',
        '});',
        'export default orchestrator;',
      ].join('\n'),
      'Upper/function.json': binding('Upper', [{ name: 'text', type: 'activityTrigger', direction: 'in' }]),
      'Upper/index.ts': [
        "import { AzureFunction, Context } from '@azure/functions';",
        'const upper: AzureFunction = async function (context: Context): Promise<string> {',
        '  return (context.bindings.text as string).toUpperCase();',
        '};',
        'export default upper;',
      ].join('\n'),
    });
    host = await startHost(app);
    const started = await post(`${host.url}/api/start/Shout`);
    expect(started.status).toBe(202);
    const done = await pollUntilDone(String(started.body.statusQueryGetUri));
    expect(done.body).toMatchObject({ runtimeStatus: 'Completed', output: 'TYPESCRIPT' });
  });
});
