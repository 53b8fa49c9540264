// Trigger services: each one serves some trigger types (a timer, a storage queue …) for the functions of a loaded
// app. The language worker starts them once the task hub is open and closes them before the hub when it drains.
// A function whose trigger type no service serves is listed by `taskhub start` as not served.
import type { Logger } from '../../log.js';
import type { TriggerEnvironment, TriggerFunctionDefinition } from './trigger-function.js';

export interface RunningTriggerService {
  /** Stops taking new triggers and waits for the invocations in flight. */
  close(): Promise<void>;
}

export interface TriggerService {
  /** Trigger binding types this service serves (`timerTrigger`, `queueTrigger` …). */
  readonly triggerTypes: readonly string[];
  /**
   * Why this service cannot serve `fn` (an invalid timer schedule …), checked when the app registers it, or
   * undefined. Such a function is not served, as Azure refuses to index it; the rest of the app is.
   */
  check?(fn: TriggerFunctionDefinition): string | undefined;
  /**
   * Starts serving `functions` (only those of this service's types; never empty). A failure to start is logged by
   * the caller and leaves the rest of the app running.
   */
  start(functions: readonly TriggerFunctionDefinition[], env: TriggerEnvironment): Promise<RunningTriggerService>;
}

const services: TriggerService[] = [];

/** Adds a service; its trigger types become served. Called at module load by each service's module. */
export function registerTriggerService(service: TriggerService): void {
  services.push(service);
}

export function isServedTriggerType(type: string): boolean {
  return services.some((s) => s.triggerTypes.includes(type));
}

/** Why `fn` cannot be served by the service of its trigger type, or undefined. */
export function unservableReason(fn: TriggerFunctionDefinition): string | undefined {
  return services.find((s) => s.triggerTypes.includes(fn.trigger.type))?.check?.(fn);
}

/** Starts every service that has functions in the app; a service that fails to start is logged, never fatal. */
export async function startTriggerServices(
  functions: readonly TriggerFunctionDefinition[],
  env: TriggerEnvironment,
  logger: Logger,
): Promise<RunningTriggerService> {
  const running: RunningTriggerService[] = [];
  for (const service of services) {
    const mine = functions.filter((f) => service.triggerTypes.includes(f.trigger.type));
    if (mine.length === 0) continue;
    try {
      running.push(await service.start(mine, env));
    } catch (err) {
      logger.error(
        { err, triggers: service.triggerTypes, functions: mine.map((f) => f.name) },
        `could not start the ${service.triggerTypes.join('/')} trigger service; those functions are not served`,
      );
    }
  }
  return {
    async close() {
      await Promise.allSettled(running.map((r) => r.close()));
    },
  };
}
