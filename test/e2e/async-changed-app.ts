// The async twin of helloChain after a careless edit: it greets Paris before Seattle. Replaying the recorded history
// must fail at the second call, pointing at the line below that makes it.
import * as df from 'durable-functions';
import type { OrchestrationContext } from '../../src/core/context.js';

df.app.orchestration('helloChain', async (ctx: OrchestrationContext) => {
  const out: unknown[] = [];
  out.push(await ctx.df.callActivity('SayHello', 'Tokyo'));
  out.push(await ctx.df.callActivity('Greet', 'Paris')); // the changed call
  out.push(await ctx.df.callActivity('SayHello', 'Cairo'));
  return out;
});
