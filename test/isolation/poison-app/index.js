/* global process, setTimeout */
// A healthy activity that runs until the test releases it (a file appears), and one that ends its worker every time:
// stops, restarts and a crasher beside it must never get the healthy one quarantined.
import { appendFileSync, existsSync } from 'node:fs';
import * as df from 'durable-functions';

// input: { started, release } → appends its delivery count to `started`, returns once `release` exists.
df.app.activity('Held', {
  handler: async ({ started, release }, context) => {
    appendFileSync(started, `${context.deliveryCount}\n`);
    while (!existsSync(release)) await new Promise((r) => setTimeout(r, 50));
    return 'released';
  },
});

df.app.activity('Exit', {
  handler: () => {
    process.exit(9);
  },
});

df.app.orchestration('RunHeld', function* (context) {
  return yield context.df.callActivity('Held', context.df.getInput());
});

df.app.orchestration('RunExit', function* (context) {
  return yield context.df.callActivity('Exit');
});
