/* eslint-disable -- checked against Azure's own types (see the test), which the lint's type information is not */
// @ts-nocheck -- typecheck-real-packages.test.ts drops this line and compiles the file against the real packages
// A code-first app written for Azure (durable-functions 3.x, @azure/functions 4.x), using their APIs broadly. It is
// compiled against the real packages' .d.ts only (the repository's tsc maps those names to Taskhub's own modules,
// whose types are not the same), so it proves that what Azure accepts compiles. Never run; only compiled.
import { app, input, output, trigger, type HttpRequest, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import type {
  ActivityHandler,
  DurableClient,
  EntityContext,
  EntityHandler,
  OrchestrationContext,
  OrchestrationHandler,
} from 'durable-functions';

interface Order {
  readonly id: string;
  readonly items: readonly string[];
  readonly total: number;
}

const receipts = output.storageBlob({ path: 'receipts/{rand-guid}.json', connection: 'AzureWebJobsStorage' });
const catalog = input.storageBlob({ path: 'catalog/prices.json', connection: 'AzureWebJobsStorage' });
const shipments = output.storageQueue({ queueName: 'shipments', connection: 'AzureWebJobsStorage' });

const priceItem: ActivityHandler = (item: unknown, context: InvocationContext): number => {
  const prices = (context.extraInputs.get(catalog) ?? {}) as Record<string, number>;
  return prices[String(item)] ?? 0;
};
df.app.activity('PriceItem', { extraInputs: [catalog], handler: priceItem });

const chargeCard = df.app.activity('ChargeCard', {
  handler: async (order: Order, context: InvocationContext) => {
    context.log(`charging ${order.total} for ${order.id}`);
    return Promise.resolve({ receipt: `r-${order.id}` });
  },
});

df.app.activity('Ship', {
  extraOutputs: [receipts, shipments],
  handler: (order: Order, context: InvocationContext) => {
    context.extraOutputs.set(receipts, JSON.stringify(order));
    context.extraOutputs.set(shipments, { orderId: order.id });
    return order.id;
  },
});

const inventory: EntityHandler<number> = (context: EntityContext<number>) => {
  const current = context.df.getState(() => 0) ?? 0;
  switch (context.df.operationName) {
    case 'reserve':
      context.df.setState(current - (context.df.getInput<number>() ?? 1));
      break;
    case 'get':
      context.df.return(current);
      break;
    default:
      context.df.destructOnExit();
  }
};
df.app.entity('Inventory', inventory);

const fulfil: OrchestrationHandler = function* (context: OrchestrationContext) {
  const order = context.df.getInput() as Order;
  const retry = new df.RetryOptions(1000, 3);
  retry.backoffCoefficient = 2;
  retry.maxRetryIntervalInMilliseconds = 10_000;

  const prices: number[] = yield context.df.Task.all(
    order.items.map((item) => context.df.callActivity('PriceItem', item)),
  );
  context.df.setCustomStatus({ priced: prices.length });

  // durable-functions 3.5's critical section.
  const stock = new df.EntityId('Inventory', order.items[0] ?? 'none');
  const lock: df.DurableLock = yield context.df.lock(stock);
  try {
    const left: number = yield context.df.callEntity(stock, 'get');
    if (left <= 0) return 'out of stock';
    yield context.df.callEntity(stock, 'reserve', 1);
    const state: df.LockState = context.df.isLocked();
    context.log(`locked: ${state.isLocked}, ${state.ownedLocks.length} entities`);
  } finally {
    lock.release();
  }

  try {
    yield chargeCard(order).withRetry(retry);
  } catch (err) {
    if (err instanceof df.TaskFailedError) context.warn(`payment failed: ${err.failureDetails.errorMessage}`);
    throw err;
  }

  const approval = context.df.waitForExternalEvent('Approved');
  const deadline = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3_600_000));
  const winner: df.Task = yield context.df.Task.any([approval, deadline]);
  if (winner !== approval) return 'not approved';
  deadline.cancel();

  const receipt: { statusCode: number } = yield context.df.callHttp({
    method: 'POST',
    url: 'https://example.invalid/receipts',
    body: { id: order.id },
    headers: { 'content-type': 'application/json' },
    tokenSource: new df.ManagedIdentityTokenSource('https://management.core.windows.net/.default'),
    enablePolling: true,
  });
  const shipped: string = yield context.df.callActivityWithRetry('Ship', retry, order);
  yield context.df.callSubOrchestrator(
    'Audit',
    { id: order.id, status: receipt.statusCode },
    `${context.df.instanceId}:audit`,
  );
  context.df.signalEntity(stock, 'get');
  return { shipped, at: context.df.currentUtcDateTime.toISOString(), guid: context.df.newGuid(context.df.instanceId) };
};
df.app.orchestration('Fulfil', fulfil);

df.app.orchestration('Audit', function* (context: OrchestrationContext) {
  const round = (context.df.getInput() as { round?: number } | undefined)?.round ?? 0;
  if (context.df.isReplaying) context.trace('replaying');
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000));
  if (round < 3) context.df.continueAsNew({ round: round + 1 });
  return round;
});

df.app.client.http('StartFulfil', {
  route: 'orders/{id}',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: async (request: HttpRequest, client: DurableClient, context: InvocationContext) => {
    const order = (await request.json()) as Order;
    const instanceId = await client.startNew('Fulfil', { input: order, instanceId: request.params.id });
    context.log(`started ${instanceId}`);
    return client.createCheckStatusResponse(request, instanceId);
  },
});

df.app.client.timer('NightlyAudit', {
  schedule: '0 0 2 * * *',
  handler: async (timer: Timer, client: DurableClient, context: InvocationContext) => {
    if (timer.isPastDue) context.log('late');
    await client.startNew('Audit', { input: { round: 0 } });
  },
});

app.http('Approve', {
  route: 'orders/{id}/approve',
  methods: ['POST'],
  extraInputs: [df.input.durableClient()],
  handler: async (request: HttpRequest, context: InvocationContext) => {
    const client = df.getClient(context);
    const id = request.params.id ?? '';
    await client.raiseEvent(id, 'Approved', true);
    const status = await client.getStatus(id, { showHistory: false });
    const state = await client.readEntityState<number>(new df.EntityId('Inventory', 'apples'));
    return { jsonBody: { runtimeStatus: status.runtimeStatus, left: state.entityState ?? null } };
  },
});

app.http('WaitFor', {
  route: 'orders/{id}/wait',
  extraInputs: [df.input.durableClient()],
  handler: async (request: HttpRequest, context: InvocationContext) => {
    const client = df.getClient(context);
    return client.waitForCompletionOrCreateCheckStatusResponse(request, request.params.id ?? '', {
      timeoutInMilliseconds: 10_000,
      retryIntervalInMilliseconds: 500,
    });
  },
});

app.generic('RestockFromQueue', {
  trigger: trigger.storageQueue({ queueName: 'restock', connection: 'AzureWebJobsStorage' }),
  extraInputs: [df.input.durableClient()],
  handler: async (message: unknown, context: InvocationContext) => {
    await df.getClient(context).signalEntity(new df.EntityId('Inventory', String(message)), 'reserve', -10);
  },
});

app.hook.preInvocation((context) => {
  context.invocationContext.log(`invoking ${context.invocationContext.functionName}`);
});
