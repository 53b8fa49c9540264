// The management API and the bad-input rules over real HTTP against `taskhub start`: Durable Functions' status codes,
// and a rejected request writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startHost, type RunningHost } from './host.js';

let host: RunningHost;
let api: string;
beforeAll(async () => {
  host = await startHost('examples/human-interaction', { args: ['--max-body-bytes', '2000'] });
  api = `${host.url}/runtime/webhooks/durabletask`;
});
afterAll(async () => {
  await host.stop();
});

async function count(): Promise<number> {
  return ((await (await fetch(`${api}/instances`)).json()) as unknown[]).length;
}

async function waitRunning(id: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const body = (await (await fetch(`${api}/instances/${id}`)).json()) as { runtimeStatus: string };
    if (body.runtimeStatus === 'Running') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${id} never ran`);
}

const approval = { document: 'doc', timeoutSeconds: 3600 };

describe('bad input', () => {
  it('is rejected with Durable Functions codes and writes nothing', async () => {
    const before = await count();
    const unknown = await post(`${host.url}/api/orchestrators/NoSuchOrchestrator`);
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('NoSuchOrchestrator');

    const malformed = await fetch(`${api}/orchestrators/ApprovalWorkflow`, { method: 'POST', body: '{"document":' });
    expect(malformed.status).toBe(400);

    const tooBig = await post(`${api}/orchestrators/ApprovalWorkflow`, { document: 'x'.repeat(5000) });
    expect(tooBig.status).toBe(413);

    const badId = await post(`${api}/orchestrators/ApprovalWorkflow/@entity`, approval);
    expect(badId.status).toBe(400);

    const wrongMethod = await fetch(`${api}/orchestrators/ApprovalWorkflow`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');

    expect((await fetch(`${api}/instances/nobody`)).status).toBe(404);
    expect(await count()).toBe(before);
  });

  it('a running duplicate id is 409; events to a finished instance are 410', async () => {
    expect((await post(`${api}/orchestrators/ApprovalWorkflow/dup`, approval)).status).toBe(202);
    await waitRunning('dup');
    const again = await post(`${api}/orchestrators/ApprovalWorkflow/dup`, approval);
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).toContain('dup');

    expect((await post(`${api}/instances/dup/terminate?reason=test`)).status).toBe(202);
    for (let i = 0; i < 100; i++) {
      const s = (await (await fetch(`${api}/instances/dup`)).json()) as { runtimeStatus: string };
      if (s.runtimeStatus === 'Terminated') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const status = await fetch(`${api}/instances/dup`);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ runtimeStatus: 'Terminated', output: 'test' });
    expect((await post(`${api}/instances/dup/raiseEvent/Approval`, { approved: true, by: 'x' })).status).toBe(410);
    expect((await post(`${api}/instances/dup/terminate`)).status).toBe(410);
  });
});

describe('management operations', () => {
  it('suspend and resume, restart, list with filters and continuation, purge', async () => {
    expect((await post(`${api}/orchestrators/ApprovalWorkflow/m1`, approval)).status).toBe(202);
    await waitRunning('m1');
    expect((await post(`${api}/instances/m1/suspend?reason=pause`)).status).toBe(202);
    for (let i = 0; i < 100; i++) {
      const s = (await (await fetch(`${api}/instances/m1`)).json()) as { runtimeStatus: string };
      if (s.runtimeStatus === 'Suspended') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await (await fetch(`${api}/instances/m1`)).json()).toMatchObject({ runtimeStatus: 'Suspended' });
    expect((await post(`${api}/instances/m1/resume?reason=go`)).status).toBe(202);
    await waitRunning('m1');

    for (const id of ['m2', 'm3', 'm4'])
      expect((await post(`${api}/orchestrators/ApprovalWorkflow/${id}`, approval)).status).toBe(202);
    const first = await fetch(`${api}/instances?instanceIdPrefix=m&top=2`);
    expect(((await first.json()) as unknown[]).length).toBe(2);
    const token = first.headers.get('x-ms-continuation-token');
    expect(token).toBeTruthy();
    const rest = await fetch(`${api}/instances?instanceIdPrefix=m&top=10`, {
      headers: { 'x-ms-continuation-token': token! },
    });
    expect(((await rest.json()) as unknown[]).length).toBe(2);

    const restarted = await post(`${api}/instances/dup/restart`);
    expect(restarted.status).toBe(202);
    expect(restarted.body.id).not.toBe('dup');
    expect(restarted.headers.get('location')).toBe(restarted.body.statusQueryGetUri);

    const purged = await fetch(`${api}/instances/dup`, { method: 'DELETE' });
    expect(purged.status).toBe(200);
    expect(await purged.json()).toEqual({ instancesDeleted: 1 });
    expect((await fetch(`${api}/instances/dup`)).status).toBe(404);
    expect((await fetch(`${api}/instances`, { method: 'DELETE' })).status).toBe(400);
  });
});
