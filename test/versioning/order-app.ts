// A deployment of the versioning tests' app, as a real child process: an `Order` orchestration registered in the
// versions named on the command line, side by side. 1.0 reserves, waits for 'Approve', ships; 2.0 validates first (so
// a 1.0 history replayed on 2.0's code would be a nondeterminism failure). Optionally starts instances itself (without
// a version: they get the newest one registered here). Logs warnings as JSON lines on stderr; stops on SIGTERM.
import { pino } from 'pino';
import type { OrchestrationContext, OrchestrationHandler } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';
import { openTaskHub } from '../../src/hub.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';

const [store, hubName, versionsText, startText] = process.argv.slice(2);
if (!store || !hubName || !versionsText) {
  throw new Error('usage: order-app.ts <sqlite file | postgres url> <hub> <versions, e.g. 1.0,2.0> [prefix:count]');
}

const CODE: Record<string, OrchestrationHandler> = {
  '1.0': function* (ctx: OrchestrationContext) {
    const reserved = (yield ctx.df.callActivity('Reserve', ctx.df.getInput())) as string;
    ctx.df.setCustomStatus('waiting');
    yield ctx.df.waitForExternalEvent('Approve');
    const shipped = (yield ctx.df.callActivity('Ship', reserved)) as string;
    return { version: ctx.df.version, steps: [reserved, shipped] };
  },
  '2.0': function* (ctx: OrchestrationContext) {
    const valid = (yield ctx.df.callActivity('Validate', ctx.df.getInput())) as string;
    const reserved = (yield ctx.df.callActivity('Reserve', valid)) as string;
    ctx.df.setCustomStatus('waiting');
    yield ctx.df.waitForExternalEvent('Approve');
    const shipped = (yield ctx.df.callActivity('Ship', reserved)) as string;
    return { version: ctx.df.version, steps: [valid, reserved, shipped] };
  },
};

const registry = new FunctionRegistry();
for (const name of ['Validate', 'Reserve', 'Ship']) registry.registerActivity(name, () => name);
for (const version of versionsText.split(',')) {
  const code = CODE[version];
  if (!code) throw new Error(`no code for version ${version}`);
  registry.registerOrchestration('Order', code, version);
}

const hub = await openTaskHub({
  store: store.startsWith('postgres') ? openPostgresStore({ connectionString: store, hubName, poolSize: 4 }) : store,
  hubName,
  registry,
  worker: { leaseMs: 2000, pollIntervalMs: 100 },
  logger: pino({ level: 'warn' }, pino.destination(2)),
});
await hub.start();
if (startText) {
  const [prefix, count] = startText.split(':');
  await Promise.all(
    Array.from({ length: Number(count) }, (_, n) => hub.client.startNew('Order', { instanceId: `${prefix}-${n}` })),
  );
}
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void hub.close().then(() => process.exit(0));
});
