// Orchestrations and activities written with the official SDK, shared by the gRPC tests.
import { whenAll, type ActivityContext, type OrchestrationContext, type TaskHubGrpcWorker } from '@microsoft/durabletask-js';

export const sayHello = async (_ctx: ActivityContext, city: string): Promise<string> => `Hello ${city}!`;

export const failing = async (_ctx: ActivityContext, what: string): Promise<string> => {
  throw new Error(`cannot ${what}`);
};

/** Hello cities: a chain of three activities, then a fan-out of three more. */
export const helloCities = async function* (ctx: OrchestrationContext): AsyncGenerator<unknown, string[], unknown> {
  const chained: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London']) chained.push((yield ctx.callActivity(sayHello, city)) as string);
  const fanned = (yield whenAll(['Paris', 'Oslo', 'Lima'].map((c) => ctx.callActivity(sayHello, c)))) as string[];
  return [...chained, ...fanned];
};

/** A durable timer, then an external event: returns the event's data and the orchestration time that passed. */
export const timerThenApproval = async function* (
  ctx: OrchestrationContext,
  delayMs: number,
): AsyncGenerator<unknown, { approval: unknown; waitedMs: number }, unknown> {
  const t0 = ctx.currentUtcDateTime.getTime();
  yield ctx.createTimer(new Date(t0 + delayMs));
  const afterTimer = ctx.currentUtcDateTime.getTime();
  const approval = yield ctx.waitForExternalEvent('approve');
  return { approval, waitedMs: afterTimer - t0 };
};

/** Waits for an event only: for suspend, resume and terminate. */
export const awaitApproval = async function* (ctx: OrchestrationContext): AsyncGenerator<unknown, unknown, unknown> {
  return yield ctx.waitForExternalEvent('approve');
};

export const failingOrchestration = async function* (ctx: OrchestrationContext): AsyncGenerator<unknown, unknown, unknown> {
  return yield ctx.callActivity(failing, 'charge the card');
};

export function registerAll(w: TaskHubGrpcWorker): void {
  for (const o of [helloCities, timerThenApproval, awaitApproval, failingOrchestration]) w.addOrchestrator(o);
  for (const a of [sayHello, failing]) w.addActivity(a);
}
