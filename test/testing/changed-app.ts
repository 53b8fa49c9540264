// The fixture app after a careless edit: helloChain now greets Paris before Seattle. Replaying its recorded history
// must fail at the second call, pointing at the line below that makes it.
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationGenerator } from '../../src/core/context.js';

df.app.orchestration('helloChain', function* (ctx: OrchestrationContext): OrchestrationGenerator {
  const out: unknown[] = [];
  out.push(yield ctx.df.callActivity('SayHello', 'Tokyo'));
  out.push(yield ctx.df.callActivity('Greet', 'Paris')); // the changed call
  out.push(yield ctx.df.callActivity('SayHello', 'Cairo'));
  return out;
});
