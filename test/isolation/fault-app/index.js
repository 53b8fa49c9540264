/* global process, setTimeout */
// Activities that misbehave in every way an app's code can, beside a healthy chain: the host must keep serving and
// quarantine what keeps ending its worker. Which fault an instance hits is chosen by its input.
import { app } from '@azure/functions';
import * as df from 'durable-functions';

df.app.activity('Double', { handler: (n) => n * 2 });

df.app.activity('Fault', {
  handler: (kind) => {
    switch (kind) {
      case 'exit':
        process.exit(1);
        break;
      case 'timer-throw':
        // Never settles; the throw comes from a timer callback no caller can catch.
        return new Promise(() => {
          setTimeout(() => {
            throw new Error('thrown from a timer');
          }, 5);
        });
      case 'unhandled-rejection':
        void Promise.reject(new Error('nobody handles this'));
        return new Promise(() => undefined);
      case 'hang':
        return new Promise(() => undefined);
      case 'busy':
        // A synchronous endless loop: no timer in its process can fire again.
        for (;;);
      default:
        return `no fault: ${kind}`;
    }
  },
});

// input: { n, fault? } → runs Double(n), then the fault if any (its failure is caught and reported), then Double again.
df.app.orchestration('Chain', function* (context) {
  const { n, fault } = context.df.getInput();
  const a = yield context.df.callActivity('Double', n);
  let faultResult = null;
  if (fault) {
    try {
      faultResult = yield context.df.callActivity('Fault', fault);
    } catch (err) {
      faultResult = `caught: ${err.message}`;
    }
  }
  const b = yield context.df.callActivity('Double', a);
  return { b, faultResult };
});

app.http('Crash', {
  route: 'crash',
  methods: ['POST'],
  handler: () => {
    setTimeout(() => process.exit(3), 1);
    return { body: 'bye' };
  },
});

// An orchestrator that ends its worker every time it runs: it must end Failed after maxDeliveryCount, not loop.
df.app.orchestration('ExitingOrchestrator', function* () {
  process.exit(2);
  yield null;
});

// An entity whose 'crash' operation ends its worker; 'add' is healthy.
df.app.entity('Fragile', (context) => {
  const state = context.df.getState(() => 0);
  if (context.df.operationName === 'crash') process.exit(4);
  if (context.df.operationName === 'add') context.df.setState(state + context.df.getInput());
  context.df.return(context.df.getState());
});

// An HTTP function that never answers: host.json functionTimeout must end the request and recycle the worker.
app.http('Hang', { route: 'hang', methods: ['GET'], handler: () => new Promise(() => undefined) });

// A healthy HTTP function of the app's own: it answers once a worker is ready.
app.http('Ping', { route: 'ping', methods: ['GET'], handler: () => ({ body: 'pong' }) });
