// Every example under examples/ served by `taskhub start` in a child process and driven over HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntilDone, post, runToCompletion, startHost, type RunningHost } from './host.js';

let host: RunningHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

async function waitForStatus(url: string, wanted: string, timeoutMs = 15_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(url);
    const body = (await response.clone().json()) as { runtimeStatus: string };
    if (body.runtimeStatus === wanted) return response;
    if (Date.now() > deadline) throw new Error(`never ${wanted}: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('examples', () => {
  it('long-running: 202 Running while the activity works, then 200 Completed', async () => {
    host = await startHost('examples/long-running', { env: { LONG_RUNNING_MS: '2500' } });
    const started = await post(`${host.url}/api/orchestrators/BuildReport`, { reportId: 'q3' });
    expect(started.status).toBe(202);
    const statusUrl = String(started.body.statusQueryGetUri);
    const running = await waitForStatus(statusUrl, 'Running');
    expect(running.status).toBe(202);
    expect(running.headers.get('retry-after')).toBe('5');
    expect(((await running.json()) as { customStatus: unknown }).customStatus).toEqual({ stage: 'rendering' });
    const done = await pollUntilDone(statusUrl);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      runtimeStatus: 'Completed',
      output: { reportId: 'q3', pages: 42, url: '/reports/q3.pdf' },
      customStatus: { stage: 'done' },
    });
  });

  it('order-processing: ships a paid order; releases the stock when the charge fails', async () => {
    host = await startHost('examples/order-processing');
    const ok = await runToCompletion(`${host.url}/api/orders`, {
      orderId: '1',
      item: 'widget',
      quantity: 2,
      amount: 20,
      card: 'visa',
    });
    expect(ok.id).toBe('order-1');
    expect(ok.body.output).toMatchObject({ status: 'Shipped', shipment: { trackingNumber: 'TRK-1' } });

    const declined = await runToCompletion(`${host.url}/api/orders`, {
      orderId: '2',
      item: 'gadget',
      quantity: 3,
      amount: 30,
      card: 'declined',
    });
    expect(declined.body.output).toMatchObject({ status: 'PaymentFailed' });
    expect(String((declined.body.output as { reason: string }).reason)).toContain('Card declined for order 2');
    const history = (await (
      await fetch(`${host.url}/runtime/webhooks/durabletask/instances/order-2?showHistory=true`)
    ).json()) as { historyEvents: { EventType: string; FunctionName?: string }[] };
    const names = history.historyEvents.filter((e) => e.FunctionName).map((e) => `${e.EventType}:${e.FunctionName}`);
    expect(names).toContain('TaskFailed:ChargePayment');
    expect(names).toContain('TaskCompleted:ReleaseInventory');

    // The released gadgets can be sold again: all 3 were reserved, then given back.
    const again = await runToCompletion(`${host.url}/api/orders`, {
      orderId: '3',
      item: 'gadget',
      quantity: 3,
      amount: 30,
      card: 'visa',
    });
    expect(again.body.output).toMatchObject({ status: 'Shipped' });
  });

  it('fan-out-fan-in (CommonJS app): 50 parallel activities joined by Task.all', async () => {
    host = await startHost('examples/fan-out-fan-in');
    const done = await runToCompletion(`${host.url}/api/fanout/50`);
    expect(done.body.output).toEqual({ items: 50, sumOfSquares: (50 * 51 * 101) / 6 });
  });

  it('human-interaction: the Approval event wins; without it the timeout escalates', async () => {
    host = await startHost('examples/human-interaction');
    const started = await post(`${host.url}/api/orchestrators/ApprovalWorkflow`, {
      document: 'budget',
      timeoutSeconds: 60,
    });
    const statusUrl = String(started.body.statusQueryGetUri);
    await waitForStatus(statusUrl, 'Running');
    const eventUrl = String(started.body.sendEventPostUri).replace('{eventName}', 'Approval');
    const raised = await post(eventUrl, { approved: true, by: 'ada' });
    expect(raised.status).toBe(202);
    const approved = await pollUntilDone(statusUrl);
    expect(approved.body.output).toEqual({ document: 'budget', outcome: 'Approved', by: 'ada' });

    const timedOut = await runToCompletion(`${host.url}/api/orchestrators/ApprovalWorkflow`, {
      document: 'travel',
      timeoutSeconds: 1,
    });
    expect(timedOut.body.output).toMatchObject({ document: 'travel', outcome: 'Escalated' });
  });

  it('monitor: a timer loop with continueAsNew finishes when the job is done', async () => {
    host = await startHost('examples/monitor');
    const done = await runToCompletion(`${host.url}/api/orchestrators/JobMonitor/job-7`, {
      jobId: 'job-7',
      pollSeconds: 0.2,
      checksNeeded: 3,
    });
    expect(done.id).toBe('job-7');
    expect(done.body).toMatchObject({ runtimeStatus: 'Completed', output: { jobId: 'job-7', checks: 3 } });
  });

  it('sub-orchestrations: children run in parallel with their own ids; a child failure reaches the parent', async () => {
    host = await startHost('examples/sub-orchestrations');
    const done = await runToCompletion(`${host.url}/api/orchestrators/ProvisionTenants/p1`, ['acme', 'globex']);
    expect(done.body.output).toEqual({
      provisioned: [
        { tenant: 'acme', database: 'db-acme', rows: 10, parent: 'p1' },
        { tenant: 'globex', database: 'db-globex', rows: 10, parent: 'p1' },
      ],
    });
    const child = await (await fetch(`${host.url}/runtime/webhooks/durabletask/instances/p1:acme`)).json();
    expect(child).toMatchObject({ name: 'ProvisionTenant', runtimeStatus: 'Completed' });

    const failed = await runToCompletion(`${host.url}/api/orchestrators/ProvisionTenants/p2`, ['acme', 'broken']);
    expect(String((failed.body.output as { failed: string }).failed)).toContain('Cannot seed db-broken');
  });

  it('retries: succeeds on the third attempt; gives up after the last one', async () => {
    host = await startHost('examples/retries');
    const ok = await runToCompletion(`${host.url}/api/orchestrators/CallWithRetries`, { key: 'a', failTimes: 2 });
    expect(ok.body.output).toEqual({ outcome: 'Succeeded', result: { key: 'a', succeededOnAttempt: 3 } });
    const gaveUp = await runToCompletion(`${host.url}/api/orchestrators/CallWithRetries`, {
      key: 'b',
      failTimes: 10,
      maxAttempts: 3,
    });
    expect(gaveUp.body.output).toMatchObject({ outcome: 'GaveUp' });
    expect(String((gaveUp.body.output as { error: string }).error)).toContain('Attempt 3 of b failed');
  });
});
