// The Restate service endpoint (its own process, as Restate is deployed): the workloads as Restate workflows whose
// steps are ctx.run side effects, journaled by restate-server. Started by the harness with PORT set.
import './polyfill.js'; // first: the SDK needs Promise.withResolvers, which Node 20 lacks
import * as restate from '@restatedev/restate-sdk';

const sayHello = (name: string): string => `Hello ${name}!`;

export const helloChain = restate.workflow({
  name: 'HelloChain',
  handlers: {
    run: async (ctx: restate.WorkflowContext) => {
      const out: string[] = [];
      for (const c of ['Tokyo', 'Seattle', 'London']) out.push(await ctx.run('sayHello', () => sayHello(c)));
      return out;
    },
  },
});

export const oneStep = restate.workflow({
  name: 'OneStep',
  handlers: {
    run: async (ctx: restate.WorkflowContext, name: string) => ctx.run('sayHello', () => sayHello(name)),
  },
});

export const sequence = restate.workflow({
  name: 'Sequence',
  handlers: {
    run: async (ctx: restate.WorkflowContext, n: number) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += await ctx.run('one', () => 1);
      return sum;
    },
  },
});

export const fanout = restate.workflow({
  name: 'Fanout',
  handlers: {
    run: async (ctx: restate.WorkflowContext, n: number) => {
      const steps = [];
      for (let i = 0; i < n; i++) steps.push(ctx.run('plusOne', () => i + 1));
      const values = await restate.RestatePromise.all(steps);
      return values.reduce((a, b) => a + b, 0);
    },
  },
});

// W5 with the workflow's durable promises: event i resolves promise `tick-i` through a shared handler (its own
// invocation through the ingress); the run handler awaits them in order. A promise resolved before it is awaited is
// kept by the server, so events may arrive in any order.
export const events = restate.workflow({
  name: 'Events',
  handlers: {
    run: async (ctx: restate.WorkflowContext, n: number) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += await ctx.promise<number>(`tick-${i}`);
      return sum;
    },
    tick: async (ctx: restate.WorkflowSharedContext, index: number) => {
      await ctx.promise<number>(`tick-${index}`).resolve(1);
    },
  },
});

const port = Number(process.env.PORT ?? 9080);
await restate.serve({ services: [helloChain, oneStep, sequence, fanout, events], port });
process.stdout.write(`restate endpoint listening on ${port}\n`);
