// Functions on triggers other than HTTP and the durable ones (timer, queue, blob …): what the app registered, and how
// one invocation runs. A trigger service (src/app/triggers/services.ts) decides when to invoke; this module only runs
// the function as the Functions host would: an InvocationContext with its durable client inputs, the app's
// preInvocation/postInvocation hooks, and the outputs read back afterwards for the service to deliver.
import { randomUUID } from 'node:crypto';
import type { DurableClient } from '../../client/types.js';
import type { Logger } from '../../log.js';
import type { Store } from '../../store/store.js';
import type { AppDefinition } from '../app-definition.js';
import { invokeWithHooks, type FunctionHandler } from '../azure/hooks.js';
import { createDurableClientBinding, isDurableClientInput } from '../durable-http-client.js';
import type { ManagementUrlOptions } from '../management-urls.js';
import { invokeWithStorageBindings } from '../bindings/invoke.js';
import {
  InvocationContext,
  type FunctionInput,
  type FunctionOutput,
  type FunctionTrigger,
} from '../invocation-context.js';

/**
 * `(triggerValue, context)`, the 4.x shape. Classic (function.json) handlers are adapted to it by the classic
 * loader, which copies `context.bindings` outputs into `context.extraOutputs` after the call.
 */
export type TriggerHandler = (triggerValue: unknown, context: InvocationContext) => unknown;

export interface TriggerFunctionDefinition {
  readonly name: string;
  /** The trigger binding with `%SETTING%` expressions resolved (`{ type: 'timerTrigger', schedule, … }`). */
  readonly trigger: FunctionTrigger;
  readonly extraInputs: readonly FunctionInput[];
  readonly extraOutputs: readonly FunctionOutput[];
  /** The binding the handler's return value goes to (`$return` in function.json, `return:` in app.*). */
  readonly return?: FunctionOutput;
  readonly handler: TriggerHandler;
  /** 'classic' for a function.json function (its folder), else 'code-first'. */
  readonly model: 'classic' | 'code-first';
  /** The function's folder (classic) or the app root: relative paths of bindings resolve here. */
  readonly directory: string;
}

/** What a trigger service needs to invoke functions: the hub's client, URLs for client bindings, the logger. */
export interface TriggerEnvironment {
  readonly app: AppDefinition;
  readonly client: DurableClient;
  /** The task hub's store: what a service keeps across workers and restarts (timer schedules) lives there. */
  readonly store: Store;
  /** URLs a durable client binding hands out (no key: nobody presented one). */
  readonly urls: ManagementUrlOptions;
  readonly logger: Logger;
  /** The app folder. */
  readonly root: string;
}

export interface TriggerInvocationResult {
  /** The handler's return value (what the `return` binding delivers). */
  readonly returnValue: unknown;
  /** `context.extraOutputs` after the call, by binding name. */
  readonly outputs: ReadonlyMap<string, unknown>;
  readonly context: InvocationContext;
}

/**
 * Invokes one function once. Throws what the function threw (after postInvocation hooks ran): the service decides
 * what a failure means (a queue message is retried, a timer occurrence is logged).
 */
export async function invokeTriggerFunction(
  env: TriggerEnvironment,
  fn: TriggerFunctionDefinition,
  triggerValue: unknown,
  triggerMetadata: Record<string, unknown> = {},
  warnedOutputs?: Set<string>,
): Promise<TriggerInvocationResult> {
  // Binding expressions in blob paths and queue names read the trigger metadata and a JSON trigger value's fields.
  const bindingData = { ...(isRecord(triggerValue) ? triggerValue : {}), ...triggerMetadata };
  const inputValues: Record<string, unknown> = {};
  for (const input of fn.extraInputs) {
    if (isDurableClientInput(input)) inputValues[input.name] = createDurableClientBinding(env.client, env.urls);
  }
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: fn.name,
    logger: env.logger,
    triggerMetadata,
    options: { trigger: fn.trigger, extraInputs: fn.extraInputs, extraOutputs: fn.extraOutputs },
    inputValues,
    ...(warnedOutputs ? { warnedOutputs } : {}),
  });
  const returnValue = await invokeWithStorageBindings(
    { name: fn.name, extraInputs: fn.extraInputs, extraOutputs: fn.extraOutputs, return: fn.return },
    context,
    bindingData,
    env.app.root ?? env.root,
    () => invokeWithHooks(env.app, context, fn.handler as FunctionHandler, [triggerValue]),
  );
  return { returnValue, outputs: new Map(context.extraOutputs.entries()), context };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}
