// durable-functions 2.x's positional callHttp(method, uri, content, headers, tokenSource) schedules the same request
// as the options form; df.ManagedIdentityTokenSource is a constructor; a token request fails with a clear message.
import { describe, expect, it } from 'vitest';
import * as df from '../../src/app/durable-functions.js';
import type { OrchestrationContext } from '../../src/core/context.js';
import { httpActivity } from '../../src/worker/http-activity.js';
import { Driver } from '../core/history-builder.js';

const firstAction = (run: (ctx: OrchestrationContext) => unknown) =>
  new Driver(function* (ctx: OrchestrationContext) {
    return yield run(ctx) as never;
  }).start().actions[0];

describe('callHttp, positional form', () => {
  it('schedules the same request as the options form, token source included', () => {
    const token = new df.ManagedIdentityTokenSource('https://management.core.windows.net/.default');
    expect(token).toMatchObject({
      resource: 'https://management.core.windows.net/.default',
      kind: 'AzureManagedIdentity',
    });
    const positional = firstAction((ctx) =>
      ctx.df.callHttp('POST', 'https://api.example/x', { a: 1 }, { 'X-Key': 'k' }, token),
    );
    const options = firstAction((ctx) =>
      ctx.df.callHttp({
        method: 'POST',
        url: 'https://api.example/x',
        body: { a: 1 },
        headers: { 'X-Key': 'k' },
        tokenSource: token,
      }),
    );
    expect(positional).toEqual(options);
    expect(positional).toMatchObject({ kind: 'ScheduleTask', name: 'BuiltIn::HttpActivity' });
    const plain = firstAction((ctx) => ctx.df.callHttp('GET', 'https://api.example/y'));
    expect(JSON.parse((plain as { input: string }).input)).toEqual({
      method: 'GET',
      uri: 'https://api.example/y',
      asynchronousPatternEnabled: true,
    });
  });

  it('a managed identity token request fails clearly (none is available outside Azure)', async () => {
    await expect(
      httpActivity({
        method: 'GET',
        uri: 'https://management.azure.com/x',
        tokenSource: { resource: 'https://management.core.windows.net/.default', kind: 'AzureManagedIdentity' },
        asynchronousPatternEnabled: true,
      }),
    ).rejects.toThrow(/managed identity token .*cannot obtain/);
  });
});
