/* global process, setTimeout */
// Async HTTP API pattern: POST /api/orchestrators/BuildReport starts the work (Taskhub's built-in starter) and answers
// 202 with a status URL at once; polling it gives 202 Running until the report is done, then 200 with the output.
import * as df from 'durable-functions';

// A minute by default; the end-to-end test shortens it. Read in the activity, never in the orchestrator (determinism).
const workMs = () => Number(process.env.LONG_RUNNING_MS ?? 60_000);

df.app.activity('RenderReport', {
  handler: async (input, context) => {
    context.log(`Rendering report ${input.reportId}; this takes ${workMs()} ms.`);
    await new Promise((resolve) => setTimeout(resolve, workMs()));
    return { reportId: input.reportId, pages: 42, url: `/reports/${input.reportId}.pdf` };
  },
});

df.app.orchestration('BuildReport', function* (context) {
  const input = context.df.getInput() ?? {};
  context.df.setCustomStatus({ stage: 'rendering' });
  const report = yield context.df.callActivity('RenderReport', { reportId: input.reportId ?? context.df.instanceId });
  context.df.setCustomStatus({ stage: 'done' });
  return report;
});
