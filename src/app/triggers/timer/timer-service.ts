// The timer trigger service (`app.timer`, `df.app.client.timer`, function.json `timerTrigger`): reads each function's
// schedule, leaves out (with one error line naming it) a function whose schedule is invalid, as Azure refuses to index
// it, and runs the others, each on its own TimerRunner.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LogEvents } from '../../../log.js';
import { registerTriggerService, type RunningTriggerService } from '../services.js';
import type { TriggerEnvironment, TriggerFunctionDefinition } from '../trigger-function.js';
import { parseTimerSchedule } from './schedule.js';
import { TimerRunner, type TimerFunction } from './timer-runner.js';

/**
 * The timer function `fn` describes, or an Error saying why it cannot be served. `timeZone` is WEBSITE_TIME_ZONE
 * (an IANA name), in which NCRONTAB schedules are read; default the process's local time zone.
 */
export function timerFunctionOf(fn: TriggerFunctionDefinition, timeZone = websiteTimeZone()): TimerFunction | Error {
  const trigger = fn.trigger as { schedule?: unknown; runOnStartup?: unknown; useMonitor?: unknown };
  if (typeof trigger.schedule !== 'string' || trigger.schedule.trim() === '') {
    return new Error('it has no schedule; set "schedule" (e.g. "0 */5 * * * *").');
  }
  if (timeZone !== undefined && !isTimeZone(timeZone)) {
    return new Error(`WEBSITE_TIME_ZONE '${timeZone}' is not an IANA time zone (e.g. Europe/Paris).`);
  }
  try {
    const schedule = parseTimerSchedule(trigger.schedule, timeZone === undefined ? {} : { timeZone });
    return {
      definition: fn,
      schedule,
      // An explicit useMonitor is honoured; the default is Azure's (off for schedules more often than once a minute).
      useMonitor: flag(trigger.useMonitor) ?? schedule.monitorByDefault,
      runOnStartup: flag(trigger.runOnStartup) ?? false,
    };
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** Azure's WEBSITE_TIME_ZONE app setting, when set. */
function websiteTimeZone(): string | undefined {
  return process.env.WEBSITE_TIME_ZONE?.trim() || undefined;
}

/** A boolean binding property: JSON true/false, or the text of a `%SETTING%` it was resolved from. */
function flag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return undefined;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a runner per servable timer function (their start-up claims are stored when this resolves); close() stops
 * them all and waits for invocations in flight.
 */
export async function startTimers(
  functions: readonly TriggerFunctionDefinition[],
  env: TriggerEnvironment,
): Promise<RunningTriggerService> {
  const workerId = `${hostname()}:${String(process.pid)}:${randomUUID().slice(0, 8)}`;
  const runners: TimerRunner[] = [];
  for (const fn of functions) {
    // Checked at registration already (check below); a function that fails here is left out the same way.
    const timer = timerFunctionOf(fn);
    if (timer instanceof Error) {
      env.logger.error(
        { event: LogEvents.timerScheduleInvalid, function: fn.name },
        `timer function '${fn.name}' is not served: ${timer.message}`,
      );
      continue;
    }
    runners.push(new TimerRunner(env, timer, workerId));
  }
  await Promise.all(runners.map((r) => r.start()));
  return {
    async close() {
      await Promise.all(runners.map((r) => r.close()));
    },
  };
}

registerTriggerService({
  triggerTypes: ['timerTrigger'],
  check(fn) {
    const timer = timerFunctionOf(fn);
    return timer instanceof Error ? timer.message : undefined;
  },
  start: startTimers,
});
