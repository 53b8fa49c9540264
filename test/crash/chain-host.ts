// The host process of the chain crash tests (test/crash, test/e2e/async-crash, test/telemetry/crash): runs N chains
// of activities on a SQLite file until all have ended. The tests kill it with SIGKILL after random amounts of progress
// and start it again; every start resumes what is left.
//   chain-host.ts <file> [--count 200] [--steps 20] [--step-ms 50] [--async] [--timer] [--spans <spans.jsonl>]
// --async: the orchestrator is an async function (default: a generator). --timer: a 50 ms durable timer halfway
// through each chain. --spans: the OpenTelemetry SDK is registered first, each finished span appended to that file.
import { parseArgs } from 'node:util';
import { FunctionRegistry } from '../../src/core/registry.js';
import type { OrchestrationContext } from '../../src/core/context.js';
import { openTaskHub } from '../../src/hub.js';
import { createLogger } from '../../src/log.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    count: { type: 'string', default: '200' },
    steps: { type: 'string', default: '20' },
    'step-ms': { type: 'string', default: '50' },
    async: { type: 'boolean', default: false },
    timer: { type: 'boolean', default: false },
    spans: { type: 'string' },
  },
});
const [file] = positionals;
const count = Number(values.count);
const steps = Number(values.steps);
const stepMs = Number(values['step-ms']);
if (!file || !(count >= 0) || !(steps >= 0) || !(stepMs >= 0))
  throw new Error(`chain-host: bad arguments ${process.argv.slice(2).join(' ')}`);
const timerAt = values.timer ? Math.floor(steps / 2) : -1;

if (values.spans !== undefined) {
  // Loaded only here, so the hosts without --spans run without the SDK (the API's no-op tracer).
  const { FileSpanExporter } = await import('../telemetry/file-span-exporter.js');
  const { registerSdk } = await import('../telemetry/otel-sdk.js');
  registerSdk(new FileSpanExporter(values.spans));
}

const registry = new FunctionRegistry();
registry.registerActivity('Step', async (input) => {
  const { acc, i } = input as { acc: number; i: number };
  // Long enough that a kill usually finds activities mid-run (the tests kill on committed progress, not on time).
  await new Promise((r) => setTimeout(r, stepMs));
  return (acc * 31 + i) % 1_000_000_007;
});
const halfwayTimer = (ctx: OrchestrationContext) =>
  ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 50));
registry.registerOrchestration(
  'Chain',
  values.async
    ? async (ctx: OrchestrationContext) => {
        let acc = ctx.df.getInput<number>();
        for (let i = 0; i < steps; i++) {
          if (i === timerAt) await halfwayTimer(ctx);
          acc = await ctx.df.callActivity<number>('Step', { acc, i });
        }
        return acc;
      }
    : function* (ctx: OrchestrationContext) {
        let acc = ctx.df.getInput<number>();
        for (let i = 0; i < steps; i++) {
          if (i === timerAt) yield halfwayTimer(ctx);
          acc = (yield ctx.df.callActivity('Step', { acc, i })) as number;
        }
        return acc;
      },
);

const hub = await openTaskHub({
  store: file,
  registry,
  // Every SIGKILL counts as a crash against the activities in flight (a host cannot tell the test's kills from a
  // crash their code caused), and a test kills it up to 20 times: poison quarantine must not fail a healthy step here.
  worker: { leaseMs: 1000, pollIntervalMs: 50, maxDeliveryCount: 1000 },
  logger: createLogger({ level: 'silent' }),
});
await hub.start();
for (let n = 0; n < count; n++) {
  const id = `chain-${n}`;
  if (!(await hub.store.getInstance(id))) await hub.client.startNew('Chain', { instanceId: id, input: n });
}
process.stdout.write(`started ${count} ${values.async ? 'async' : 'generator'} chains of ${steps} steps\n`);
// Until every instance has ended, failed ones too: the test then reports which failed and why, instead of timing out.
for (;;) {
  const page = await hub.store.queryInstances({ runtimeStatus: ['Completed', 'Failed', 'Terminated'], pageSize: 1000 });
  if (page.instances.length >= count) break;
  await new Promise((r) => setTimeout(r, 50));
}
await hub.close();
process.stdout.write('done\n');
