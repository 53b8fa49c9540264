// The app of docs/testing.md's examples, as written there (df.app fills the default registry).
import { df } from '../../src/index.js';

df.app.orchestration('Approval', function* (context) {
  const timeout = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 24 * 3600_000));
  const approved = context.df.waitForExternalEvent('Approved');
  const winner = yield context.df.Task.any([approved, timeout]);
  if (winner === approved) {
    timeout.cancel();
    return approved.result ? 'approved' : 'rejected';
  }
  return yield context.df.callActivity('Escalate', context.df.getInput());
});
df.app.activity('Escalate', { handler: (order) => `paged the manager about ${String(order)}` });
