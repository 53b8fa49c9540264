// An SDK worker process for the kill tests: `sdk-worker-child.ts <address> <dir> [release]`. Its activity records each
// attempt as a file in <dir>, then (without `release`) never finishes, so the test can SIGKILL it mid-activity.
/* eslint-disable @typescript-eslint/require-await -- durabletask-js 0.4 runs orchestrators that are async generators
   (it takes a plain function*'s generator object for its output), and these need no await. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  NoOpLogger,
  TaskHubGrpcWorker,
  type ActivityContext,
  type OrchestrationContext,
  type Task,
} from '@microsoft/durabletask-js';

const [address, dir, release] = process.argv.slice(2);
if (!address || !dir) throw new Error('usage: sdk-worker-child.ts <address> <dir> [release]');

const slowStep = async (_ctx: ActivityContext, input: string): Promise<string> => {
  writeFileSync(path.join(dir, `attempt-${process.pid}-${Date.now()}`), input);
  if (release !== 'release') await new Promise(() => undefined);
  return `${input} done`;
};

const slowChain = async function* (ctx: OrchestrationContext): AsyncGenerator<Task<unknown>, string, unknown> {
  const first = (yield ctx.callActivity(slowStep, 'step')) as string;
  return first;
};

const worker = new TaskHubGrpcWorker({ hostAddress: address, logger: new NoOpLogger() });
worker.addOrchestrator(slowChain);
worker.addActivity(slowStep);
await worker.start();
process.stdout.write('worker started\n');
process.on('SIGTERM', () => {
  worker.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
