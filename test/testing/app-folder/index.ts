// An app as users write it: it imports the Azure packages by name. createTestHub({ app }) loads this folder.
import { app } from '@azure/functions';
import * as df from 'durable-functions';

df.app.orchestration('Approval', function* (context) {
  const timeout = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 24 * 3600_000));
  const approved = context.df.waitForExternalEvent('Approved');
  const winner: unknown = yield context.df.Task.any([approved, timeout]);
  if (winner === approved) {
    timeout.cancel();
    return approved.result ? 'approved' : 'rejected';
  }
  return yield context.df.callActivity('Escalate', context.df.getInput());
});

df.app.activity('Escalate', { handler: (order: unknown) => `paged the manager about ${String(order)}` });

app.http('Hello', { route: 'hello', handler: () => ({ body: 'hello' }) });
