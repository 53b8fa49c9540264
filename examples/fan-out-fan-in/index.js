/* global require, setTimeout */
// Fan-out/fan-in, written as a CommonJS app: one activity lists the work, N activities run in parallel, Task.all joins.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS Azure app, unchanged
const df = require('durable-functions');

df.app.activity('GetWorkItems', {
  handler: (count) => Array.from({ length: count }, (_, i) => i + 1),
});

df.app.activity('ProcessItem', {
  handler: async (n) => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    return n * n;
  },
});

df.app.orchestration('FanOutFanIn', function* (context) {
  const count = context.df.getInput() ?? 10;
  const items = yield context.df.callActivity('GetWorkItems', count);
  const tasks = items.map((n) => context.df.callActivity('ProcessItem', n));
  const squares = yield context.df.Task.all(tasks);
  return { items: items.length, sumOfSquares: squares.reduce((a, b) => a + b, 0) };
});

df.app.client.http('StartFanOut', {
  route: 'fanout/{count?}',
  methods: ['POST'],
  handler: async (request, client) => {
    const count = Number(request.params.count ?? 10);
    const instanceId = await client.startNew('FanOutFanIn', { input: count });
    return client.createCheckStatusResponse(request, instanceId);
  },
});
