// The CLI beyond `start`: `taskhub new` scaffolds apps that `taskhub start` serves at once, and the client commands
// drive instances on a running host (--url) or directly on its store (--store).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntilDone, post, ROOT, runCli, startHost, type CliResult, type RunningHost } from './host.js';

interface PackageJson {
  scripts?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const HELLO = ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'];

function taskhub(...args: string[]): Promise<CliResult> {
  return runCli(args);
}

let host: RunningHost | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await host?.stop();
  host = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('taskhub new', () => {
  for (const flavour of [[], ['--js'], ['--classic']]) {
    it(`scaffolds an app that serves the hello chain at once (${flavour.join(' ') || 'TypeScript'})`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-new-'));
      dirs.push(dir);
      const app = path.join(dir, 'my-app');
      const created = await taskhub('new', app, ...flavour);
      expect(created.code).toBe(0);
      expect(created.stdout).toContain('npm start');
      for (const file of ['.gitignore', '.funcignore', 'local.settings.json']) {
        expect(existsSync(path.join(app, file)), file).toBe(true);
      }
      const pkg = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8')) as PackageJson;
      expect(pkg.scripts?.start).toBe('taskhub start .');
      // Taskhub is not on the npm registry: the app takes it from the checkout that created it.
      expect(pkg.devDependencies?.taskhub).toBe(`file:${ROOT}`);
      if (flavour.length === 0) {
        expect(pkg.scripts?.build).toBe('tsc');
        expect(Object.keys(pkg.devDependencies ?? {})).toEqual(['@types/node', 'taskhub', 'typescript']);
      }
      host = await startHost(app);
      const started = await post(`${host.url}/api/orchestrators/HelloOrchestrator`);
      expect(started.status).toBe(202);
      const done = await pollUntilDone(String(started.body.statusQueryGetUri));
      expect(done.body.output).toEqual(HELLO);
    });
  }

  it('refuses --js with --classic instead of picking one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'taskhub-new-'));
    dirs.push(dir);
    const result = await taskhub('new', path.join(dir, 'my-app'), '--js', '--classic');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Choose one template');
    expect(existsSync(path.join(dir, 'my-app'))).toBe(false);
  });

  it('refuses a folder that is not empty', async () => {
    const result = await taskhub('new', path.join(ROOT, 'examples'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('not empty');
  });
});

describe('client commands', () => {
  it('list, status, raise, terminate, purge against a running host and against its store', async () => {
    host = await startHost('examples/human-interaction');
    const url = host.url;
    const request = { document: 'cli', timeoutSeconds: 3600 };
    expect((await post(`${url}/api/orchestrators/ApprovalWorkflow/cli-1`, request)).status).toBe(202);
    expect((await post(`${url}/api/orchestrators/ApprovalWorkflow/cli-2`, request)).status).toBe(202);

    const list = await taskhub('list', '--url', url);
    expect(list.stdout).toMatch(/INSTANCE\s+NAME\s+STATUS/);
    expect(list.stdout).toContain('cli-1');

    // Wait until cli-1 waits for its event, then approve it from the command line.
    for (let i = 0; i < 100; i++) {
      const s = JSON.parse((await taskhub('status', 'cli-1', '--json', '--url', url)).stdout) as {
        runtimeStatus: string;
      };
      if (s.runtimeStatus === 'Running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const raised = await taskhub('raise', 'cli-1', 'Approval', '{"approved":true,"by":"cli"}', '--url', url);
    expect(raised.code).toBe(0);
    const done = await pollUntilDone(`${url}/runtime/webhooks/durabletask/instances/cli-1`);
    expect(done.body.output).toMatchObject({ outcome: 'Approved', by: 'cli' });

    const status = JSON.parse((await taskhub('status', 'cli-1', '--json', '--history', '--url', url)).stdout) as {
      historyEvents: unknown[];
    };
    expect(status.historyEvents.length).toBeGreaterThan(0);

    // Directly on the store: the host picks up the terminate request from the shared SQLite file.
    const store = `sqlite:${path.join(host.dir, 'hub.db')}`;
    expect((await taskhub('terminate', 'cli-2', '--reason', 'cli', '--store', store)).code).toBe(0);
    const terminated = await pollUntilDone(`${url}/runtime/webhooks/durabletask/instances/cli-2`);
    expect(terminated.body).toMatchObject({ runtimeStatus: 'Terminated' });
    const stored = await taskhub('list', '--store', store, '--status', 'Terminated');
    expect(stored.stdout).toContain('cli-2');

    expect((await taskhub('purge', 'cli-1', '--url', url)).stdout).toContain('Purged 1 instance.');
    const missing = await taskhub('status', 'cli-1', '--json', '--url', url);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('404');
  });

  it('says what to do without --url or --store', async () => {
    expect((await taskhub('list')).stderr).toContain('--url');
  });

  it.skipIf(existsSync(path.join(ROOT, 'src/store/postgres')))('says postgres is not yet supported', async () => {
    const pg = await taskhub(
      'start',
      'examples/hello-classic',
      '--store',
      'postgres://localhost/taskhub',
      '--port',
      '0',
    );
    expect(pg.code).toBe(1);
    expect(pg.stderr).toMatch(/not yet supported|PostgreSQL/);
  });
});
