// Order processing with compensation: reserve stock, charge the card, create the shipment. When the charge fails the
// reserved stock is released again, so a failed order leaves nothing behind.
import { app, HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';

export interface Order {
  readonly orderId: string;
  readonly item: string;
  readonly quantity: number;
  readonly amount: number;
  /** 'declined' makes the payment provider refuse the charge. */
  readonly card: string;
}

const stock = new Map<string, number>([
  ['widget', 100],
  ['gadget', 3],
]);

df.app.activity('CheckInventory', {
  handler: (order: Order) => {
    const available = stock.get(order.item) ?? 0;
    if (available < order.quantity) return { reserved: false, available };
    stock.set(order.item, available - order.quantity);
    return { reserved: true, available: available - order.quantity };
  },
});

df.app.activity('ReleaseInventory', {
  handler: (order: Order) => {
    stock.set(order.item, (stock.get(order.item) ?? 0) + order.quantity);
    return { released: order.quantity };
  },
});

df.app.activity('ChargePayment', {
  handler: (order: Order) => {
    if (order.card === 'declined') throw new Error(`Card declined for order ${order.orderId}`);
    return { chargeId: `ch_${order.orderId}`, amount: order.amount };
  },
});

df.app.activity('CreateShipment', {
  handler: (order: Order) => ({ trackingNumber: `TRK-${order.orderId}`, item: order.item }),
});

df.app.orchestration('ProcessOrder', function* (context: OrchestrationContext) {
  const order = context.df.getInput<Order>();
  const inventory = (yield context.df.callActivity('CheckInventory', order)) as { reserved: boolean };
  if (!inventory.reserved) return { orderId: order.orderId, status: 'OutOfStock' };

  let charge: unknown;
  try {
    charge = yield context.df.callActivity('ChargePayment', order);
  } catch (err) {
    // Compensation: give the reserved stock back before reporting the failure.
    yield context.df.callActivity('ReleaseInventory', order);
    return { orderId: order.orderId, status: 'PaymentFailed', reason: (err as Error).message };
  }
  const shipment: unknown = yield context.df.callActivity('CreateShipment', order);
  return { orderId: order.orderId, status: 'Shipped', charge, shipment };
});

app.http('PlaceOrder', {
  route: 'orders',
  methods: ['POST'],
  extraInputs: [df.input.durableClient()],
  handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponse> => {
    const order = (await request.json()) as Order;
    const client = df.getClient(context);
    const instanceId = await client.startNew('ProcessOrder', { instanceId: `order-${order.orderId}`, input: order });
    context.log(`Started order ${order.orderId} as ${instanceId}.`);
    return client.createCheckStatusResponse(request, instanceId);
  },
});
