// The hello chain (Tokyo, Seattle, London) as a classic function.json app and as a code-first TypeScript app, served
// by `taskhub start` in a child process, started and polled over HTTP exactly as the README shows.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntilDone, post, ROOT, startHost, type RunningHost } from './host.js';

const HELLO = ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'];

let host: RunningHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

describe('hello chain', () => {
  it('classic function.json app: HttpStart starts HelloOrchestrator, the status URL reports the chain', async () => {
    host = await startHost('examples/hello-classic');
    expect(host.output()).toContain('HttpStart: [POST,GET]');
    expect(host.output()).toContain('/api/orchestrators/{functionName}');
    expect(host.output()).toContain('HelloOrchestrator: orchestrationTrigger');
    expect(host.output()).toContain('Hello: activityTrigger');

    const started = await post(`${host.url}/api/orchestrators/HelloOrchestrator`);
    expect(started.status).toBe(202);
    const id = String(started.body.id);
    expect(started.headers.get('location')).toBe(started.body.statusQueryGetUri);
    expect(started.headers.get('retry-after')).toBe('10');
    expect(String(started.body.statusQueryGetUri)).toBe(
      `${host.url}/runtime/webhooks/durabletask/instances/${id}?taskHub=HelloClassic&connection=Storage`,
    );
    expect(Object.keys(started.body).sort()).toEqual(
      [
        'id',
        'purgeHistoryDeleteUri',
        'restartPostUri',
        'resumePostUri',
        'rewindPostUri',
        'sendEventPostUri',
        'statusQueryGetUri',
        'suspendPostUri',
        'terminatePostUri',
      ].sort(),
    );

    const done = await pollUntilDone(String(started.body.statusQueryGetUri));
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      name: 'HelloOrchestrator',
      instanceId: id,
      runtimeStatus: 'Completed',
      output: HELLO,
    });
    expect(String(done.body.createdTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('code-first TypeScript app runs from its sources with no build', async () => {
    host = await startHost('examples/hello-ts');
    expect(host.output()).toContain('HttpStart: [GET,POST]');
    const started = await post(`${host.url}/api/orchestrators/HelloOrchestrator`);
    expect(started.status).toBe(202);
    const done = await pollUntilDone(String(started.body.statusQueryGetUri));
    expect(done.body).toMatchObject({ runtimeStatus: 'Completed', output: HELLO });
  });

  it.skipIf(!existsSync(path.join(ROOT, 'dist/cli/main.js')))(
    'the built bin/taskhub.js serves the classic app (what npm start runs)',
    async () => {
      host = await startHost('examples/hello-classic', { built: true });
      const started = await post(`${host.url}/api/orchestrators/HelloOrchestrator`);
      const done = await pollUntilDone(String(started.body.statusQueryGetUri));
      expect(done.body).toMatchObject({ runtimeStatus: 'Completed', output: HELLO });
      expect(await host.stop()).toBe(0);
      host = undefined;
    },
  );
});
