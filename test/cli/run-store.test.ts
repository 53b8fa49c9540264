// `taskhub run … --store <file>` while the app's host runs on that very file: the instance is written to the store,
// and the message says the running host picks it up (it used to say no host answers, while one did).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../until.js';
import { makeApp, startAppHost, taskhub, type AppHost } from './cli-helpers.js';

const app = makeApp();
const cwd = app.dir;
let host: AppHost;
beforeAll(async () => {
  host = await startAppHost(cwd);
}, 90_000);
afterAll(async () => {
  await host?.stop();
  app.remove();
});

describe('taskhub run --store with the app’s host running on that store', () => {
  it('says the running host serves the store, and the host runs the instance', async () => {
    const store = `sqlite:${path.join(cwd, '.taskhub/taskhub.db')}`;
    const r = await taskhub(['run', 'Greet', '--id', 'via-store', '--input', '"Ann"', '--store', store], { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('No Taskhub host answers');
    expect(r.stderr).toContain(`the host at ${host.url} serves it and picks the instance up`);
    await until(
      async () => {
        const status = await taskhub(['status', 'via-store', '--json'], { cwd });
        return (JSON.parse(status.stdout) as { runtimeStatus: string }).runtimeStatus === 'Completed';
      },
      { what: 'the host to run the instance written to its store', timeoutMs: 60_000, pollMs: 250 },
    );

    // Another file: no host serves it, and the message says so.
    const other = `sqlite:${path.join(cwd, 'other.db')}`;
    const init = await taskhub(['run', 'Greet', '--id', 'nowhere', '--store', other], { cwd });
    // A client command never creates a store file: the other file does not exist, so the command refuses.
    expect(init.stderr).toContain('There is no store at');
  });
});
