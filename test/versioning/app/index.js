/* global require */
// Order in two versions side by side (a Taskhub extension of df.app.orchestration); host.json fails an instance of a
// version the app does not run (versionFailureStrategy Fail).
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS Azure app */
const df = require('durable-functions');

for (const name of ['Validate', 'Reserve']) df.app.activity(name, { handler: () => name });

df.app.orchestration('Order', {
  version: '1.0',
  handler: function* (context) {
    const reserved = yield context.df.callActivity('Reserve');
    return { version: context.df.version, steps: [reserved] };
  },
});

df.app.orchestration('Order', {
  version: '2.0',
  handler: function* (context) {
    const valid = yield context.df.callActivity('Validate');
    const reserved = yield context.df.callActivity('Reserve');
    return { version: context.df.version, steps: [valid, reserved] };
  },
});
