// Telemetry must never fail what it observes: an SDK, exporter or instrument that throws is reported on
// OpenTelemetry's own diagnostic channel (`diag`, silent unless the app enables it) and the work goes on.
import { diag } from '@opentelemetry/api';

export function safely<T>(fallback: T, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    diag.error('taskhub: telemetry failed, the work it observes goes on', err);
    return fallback;
  }
}
