// The app of the PostgreSQL telemetry test: the test process starts instances (client only), worker processes run them.
import type { OrchestrationContext } from '../../src/core/context.js';
import { FunctionRegistry } from '../../src/core/registry.js';

export function pgAppRegistry(): FunctionRegistry {
  const r = new FunctionRegistry();
  r.registerActivity('Hello', (name) => `Hello ${String(name)}!`);
  r.registerOrchestration('Child', function* (ctx: OrchestrationContext) {
    return yield ctx.df.callActivity('Hello', ctx.df.getInput());
  });
  r.registerOrchestration('Trip', function* (ctx: OrchestrationContext) {
    const a = yield ctx.df.callActivity('Hello', 'Lisbon');
    yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 50));
    const b = yield ctx.df.callSubOrchestrator('Child', 'Porto', `${ctx.df.instanceId}-child`);
    return [a, b];
  });
  return r;
}
