// A worker process for the telemetry crash test: registers the OpenTelemetry SDK with a file exporter, starts N
// chains (activities and a timer) on a SQLite file unless they exist, and runs until every one has ended. The test
// kills it with SIGKILL mid-chain and starts it again; every start resumes what is left.
import { FunctionRegistry } from '../../src/core/registry.js';
import type { OrchestrationContext } from '../../src/core/context.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';
import { FileSpanExporter } from './file-span-exporter.js';
import { registerSdk } from './otel-sdk.js';

const [file, spansFile, countText, stepsText] = process.argv.slice(2);
const count = Number(countText);
const steps = Number(stepsText);
registerSdk(new FileSpanExporter(spansFile!));

const registry = new FunctionRegistry();
registry.registerActivity('Step', async (input) => {
  const { acc, i } = input as { acc: number; i: number };
  // Long enough that a kill often lands on activities mid-run (the test kills on committed progress, not on time).
  await new Promise((r) => setTimeout(r, 20));
  return (acc * 31 + i) % 1_000_000_007;
});
registry.registerOrchestration('Chain', function* (ctx: OrchestrationContext) {
  let acc = ctx.df.getInput<number>();
  for (let i = 0; i < steps; i++) {
    if (i === Math.floor(steps / 2)) yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 50));
    acc = (yield ctx.df.callActivity('Step', { acc, i })) as number;
  }
  return acc;
});

const hub = await openTaskHub({
  store: file,
  registry,
  worker: { leaseMs: 1000, pollIntervalMs: 50, maxDeliveryCount: 1000 },
  logger: createLogger({ level: 'silent' }),
});
await hub.start();
for (let n = 0; n < count; n++) {
  const id = `chain-${n}`;
  if (!(await hub.store.getInstance(id))) await hub.client.startNew('Chain', { instanceId: id, input: n });
}
process.stdout.write('started\n');
for (;;) {
  const page = await hub.store.queryInstances({ runtimeStatus: ['Completed', 'Failed', 'Terminated'], pageSize: 1000 });
  if (page.instances.length >= count) break;
  await new Promise((r) => setTimeout(r, 50));
}
await hub.close();
process.stdout.write('done\n');
