/* global require */
// Order 2.0 only: instances of 1.0 (started before a deploy dropped it) or of 3.0 wait for a worker that runs them.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS Azure app */
const df = require('durable-functions');

df.app.orchestration('Order', {
  version: '2.0',
  handler: function* (context) {
    yield context.df.waitForExternalEvent('Go');
    return context.df.version;
  },
});
