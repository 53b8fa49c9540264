const df = require('durable-functions');

module.exports = df.orchestrator(function* (context) {
  const outputs = [];

  outputs.push(yield context.df.callActivity('Hello', 'Tokyo'));
  outputs.push(yield context.df.callActivity('Hello', 'Seattle'));
  outputs.push(yield context.df.callActivity('Hello', 'London'));

  // returns ["Hello Tokyo!", "Hello Seattle!", "Hello London!"]
  return outputs;
});
