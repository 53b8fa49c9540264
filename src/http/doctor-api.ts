// Taskhub's extension of the management API: `GET /runtime/webhooks/durabletask/doctor` answers what `taskhub doctor`
// prints with --json (src/doctor/findings.ts). 200 whatever it finds; the findings' severities say how healthy the
// hub is. Thresholds as query parameters (`pendingOlderThan=15m`, `maxDeliveryCount=5` …); a bad one is a 400.
import type { Hono } from 'hono';
import { diagnose } from '../doctor/diagnose.js';
import { thresholdsFrom } from '../doctor/options.js';
import type { DoctorThresholds } from '../doctor/findings.js';
import { HttpError, methodNotAllowed } from './errors.js';
import type { HostContext } from './host-context.js';

export function doctorRoutes(api: Hono, host: HostContext): void {
  api.get('/doctor', async (c) => {
    let thresholds: Partial<DoctorThresholds>;
    try {
      thresholds = thresholdsFrom(
        (name) => c.req.query(name),
        (name) => `'${name}'`,
      );
    } catch (err) {
      throw new HttpError(400, 'INVALID_ARGUMENT', err instanceof Error ? err.message : String(err));
    }
    // The app's own delivery limit unless the caller gave one; the host's app says which versions it runs.
    const appLimit = thresholds.maxDeliveryCount === undefined ? host.maxDeliveryCount : undefined;
    const app = { registry: host.hub.registry };
    return c.json(
      appLimit === undefined
        ? await diagnose(host.hub.store, thresholds, { app })
        : await diagnose(
            host.hub.store,
            { ...thresholds, maxDeliveryCount: appLimit },
            { maxDeliveryCountFrom: 'host', app },
          ),
    );
  });
  api.all('/doctor', (c) => {
    throw methodNotAllowed(c.req.method, ['GET']);
  });
}
