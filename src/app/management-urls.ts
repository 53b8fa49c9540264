// The URLs Durable Functions hands out for one instance (reference part D): built in one place so the check-status
// response, the management payload, the starter route and the durable client binding all agree.
import type { HttpManagementPayload } from '../client/types.js';

export const WEBHOOK_PATH = '/runtime/webhooks/durabletask';

export interface ManagementUrlOptions {
  /** Origin of this host as the caller sees it, e.g. `http://localhost:7071` (no trailing slash). */
  readonly origin: string;
  /** The origin is the host's configured public URL: a request's own URL (its Host header) never replaces it. */
  readonly originIsPublic?: boolean;
  readonly taskHubName: string;
  /** Connection name echoed in the URLs, as Durable Functions does (default 'Storage'). */
  readonly connectionName?: string;
  /** The key the caller presented, appended as `code=`; never a key the caller did not present. */
  readonly code?: string;
}

export function webhookBase(options: ManagementUrlOptions): string {
  return `${options.origin.replace(/\/+$/, '')}${WEBHOOK_PATH}`;
}

/** `taskHub=…&connection=…[&code=…]`, the suffix every management URL carries. */
export function querySuffix(options: ManagementUrlOptions): string {
  const params = new URLSearchParams({ taskHub: options.taskHubName, connection: options.connectionName ?? 'Storage' });
  if (options.code) params.set('code', options.code);
  return params.toString();
}

/**
 * The payload of createHttpManagementPayload / createCheckStatusResponse. `{eventName}` and `{text}` stay literal
 * placeholders for the caller to fill, exactly as Durable Functions returns them.
 */
export function managementPayload(options: ManagementUrlOptions, instanceId: string): HttpManagementPayload {
  const instance = `${webhookBase(options)}/instances/${encodeURIComponent(instanceId)}`;
  const suffix = querySuffix(options);
  const withReason = (op: string): string => `${instance}/${op}?reason={text}&${suffix}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${instance}?${suffix}`,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}?${suffix}`,
    terminatePostUri: withReason('terminate'),
    rewindPostUri: withReason('rewind'),
    purgeHistoryDeleteUri: `${instance}?${suffix}`,
    restartPostUri: `${instance}/restart?${suffix}`,
    suspendPostUri: withReason('suspend'),
    resumePostUri: withReason('resume'),
  };
}

/** The creation URL templates of the durable client binding (`creationUrls`). */
export function creationUrls(options: ManagementUrlOptions): {
  createNewInstancePostUri: string;
  createAndWaitOnNewInstancePostUri: string;
} {
  const base = `${webhookBase(options)}/orchestrators/{functionName}[/{instanceId}]`;
  const suffix = querySuffix(options);
  return {
    createNewInstancePostUri: `${base}?${suffix}`,
    createAndWaitOnNewInstancePostUri: `${base}?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${suffix}`,
  };
}
