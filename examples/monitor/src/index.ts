// Monitor pattern: check an external job, sleep on a durable timer, and continueAsNew so the history stays small no
// matter how long the job takes. The demo job finishes after `checksNeeded` checks.
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';

interface MonitorState {
  readonly jobId: string;
  readonly pollSeconds?: number;
  readonly checksNeeded?: number;
  readonly generation?: number;
}

// The "external system": how often each job was checked. Activities may keep state; orchestrators may not.
const checks = new Map<string, number>();

df.app.activity('CheckJobStatus', {
  handler: (state: MonitorState) => {
    const count = (checks.get(state.jobId) ?? 0) + 1;
    checks.set(state.jobId, count);
    return count >= (state.checksNeeded ?? 3) ? 'Done' : 'Running';
  },
});

df.app.activity('NotifyJobDone', {
  handler: (state: MonitorState) => ({ notified: true, jobId: state.jobId }),
});

df.app.orchestration('JobMonitor', function* (context: OrchestrationContext) {
  const state = context.df.getInput<MonitorState>();
  const generation = state.generation ?? 0;
  context.df.setCustomStatus({ generation });

  const status = (yield context.df.callActivity('CheckJobStatus', state)) as string;
  if (status === 'Done') {
    yield context.df.callActivity('NotifyJobDone', state);
    return { jobId: state.jobId, checks: generation + 1 };
  }
  const next = new Date(context.df.currentUtcDateTime.getTime() + (state.pollSeconds ?? 30) * 1000);
  yield context.df.createTimer(next);
  context.df.continueAsNew({ ...state, generation: generation + 1 });
  return undefined;
});
