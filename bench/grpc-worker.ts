// The SDK side of the gRPC benchmark, as a deployment runs it: an official Durable Task SDK worker
// (@microsoft/durabletask-js) in its own process, with W1's and W4's functions under the in-process workloads' names.
// `grpc-worker.ts <address>`; prints "worker started" once its work-item stream is open, stops on SIGTERM.
/* eslint-disable @typescript-eslint/require-await -- durabletask-js 0.4 runs orchestrators that are async generators. */
import {
  NoOpLogger,
  TaskHubGrpcWorker,
  type ActivityContext,
  type OrchestrationContext,
  type Task,
} from '@microsoft/durabletask-js';

const [address] = process.argv.slice(2);
if (!address) throw new Error('usage: grpc-worker.ts <address>');

const sayHello = (_ctx: ActivityContext, city: string): string => `Hello ${city}!`;

const helloChain = async function* (ctx: OrchestrationContext): AsyncGenerator<Task<unknown>, unknown[], unknown> {
  const out: unknown[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London']) out.push(yield ctx.callActivity('SayHello', city));
  return out;
};

const oneStep = async function* (ctx: OrchestrationContext, city: string): AsyncGenerator<Task<unknown>, unknown> {
  const greeting: unknown = yield ctx.callActivity('SayHello', city);
  return greeting;
};

const worker = new TaskHubGrpcWorker({ hostAddress: address, logger: new NoOpLogger() });
worker.addNamedActivity('SayHello', sayHello);
worker.addNamedOrchestrator('HelloChain', helloChain);
worker.addNamedOrchestrator('OneStep', oneStep);
await worker.start();
process.stdout.write('worker started\n');
process.on('SIGTERM', () => {
  worker.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
